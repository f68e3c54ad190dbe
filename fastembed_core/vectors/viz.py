"""Pictures of word vectors: 2-D word maps, analogy offsets, neighbourhoods.

Every function takes a :class:`~fastembed_core.KeyedVectors` (gensim's works too), returns a
matplotlib :class:`~matplotlib.figure.Figure`, and saves it when ``path`` is given (PNG, SVG,
PDF, … from the file name). Figures are built without ``pyplot``, so nothing opens a window
and the functions are safe to call from scripts, servers and threads; in a notebook the
returned figure displays itself.

matplotlib is an optional dependency: ``pip install fastembed_core[plot]``. t-SNE needs
scikit-learn and UMAP needs umap-learn; PCA (the default) needs only numpy.

>>> from fastembed_core.vectors import viz                      # doctest: +SKIP
>>> viz.plot_words(model.wv, top_n=100, path="words.png")          # doctest: +SKIP
>>> viz.plot_analogies(model.wv, [("man", "woman"), ("king", "queen")], path="gender.svg")
>>> viz.plot_neighbours(model.wv, "dog", topn=12, path="dog.png")  # doctest: +SKIP
"""

from __future__ import annotations

import math
import os
from collections.abc import Hashable, Iterable, Mapping, Sequence
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from ..errors import OOVError
from . import formats
from .keyedvectors import KeyedVectors
from .projection import PROJECTION_METHODS, pca, project, unit_rows

# matplotlib is optional and its objects are Any here (see [tool.mypy] in pyproject.toml).
_Figure = Any
_Axes = Any

__all__ = [
    "project",
    "plot_words",
    "plot_analogies",
    "plot_neighbours",
    "export_projector",
    "PROJECTION_METHODS",
]

_PALETTE = (
    "#1f77b4",
    "#d62728",
    "#2ca02c",
    "#9467bd",
    "#ff7f0e",
    "#8c564b",
    "#e377c2",
    "#17becf",
    "#7f7f7f",
    "#bcbd22",
)


# ---------------------------------------------------------------------------------------------
# matplotlib plumbing
# ---------------------------------------------------------------------------------------------


def _new_figure(figsize: tuple[float, float], dpi: float = 100) -> _Figure:
    try:
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure
    except ImportError:
        raise ImportError(
            "plotting needs matplotlib: pip install matplotlib "
            "(or pip install 'fastembed_core[plot]')"
        ) from None
    fig = Figure(figsize=figsize, dpi=dpi)
    FigureCanvasAgg(fig)
    return fig


def _save(fig: _Figure, path: str | os.PathLike[str] | None, dpi: float) -> None:
    if path is None:
        return
    path = os.fspath(path)
    ext = os.path.splitext(path)[1].lower().lstrip(".")
    supported = fig.canvas.get_supported_filetypes()
    if ext not in supported:
        raise ValueError(
            f"cannot write {path!r}: unknown image type {ext!r}; use one of "
            f"{', '.join(sorted(supported))} (e.g. .png or .svg)"
        )
    folder = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(folder):
        raise FileNotFoundError(2, "No such directory", folder)
    fig.savefig(path, dpi=dpi, bbox_inches="tight", pad_inches=0.15, facecolor="white")


def _lookup(kv: KeyedVectors, words: Sequence[Hashable]) -> NDArray[Any]:
    """Rows of ``words`` in ``kv``; OOVError listing every unknown word."""
    missing = [w for w in words if w not in kv.key_to_index]
    if missing:
        shown = ", ".join(repr(w) for w in missing[:10])
        more = f" and {len(missing) - 10} more" if len(missing) > 10 else ""
        raise OOVError(f"not in the vocabulary ({len(kv.key_to_index)} words): {shown}{more}")
    return np.asarray(kv.vectors)[[kv.key_to_index[w] for w in words]]


def _dedupe(words: Iterable[Hashable]) -> list[Any]:
    seen, out = set(), []
    for w in words:
        if w not in seen:
            seen.add(w)
            out.append(w)
    return out


def _style_map_axes(ax: _Axes) -> None:
    ax.set_xticks([])
    ax.set_yticks([])
    for side in ("top", "right", "bottom", "left"):
        ax.spines[side].set_color("#cccccc")


def _set_limits(ax: _Axes, xy: NDArray[Any], margin: float = 0.08) -> None:
    lo, hi = xy.min(axis=0), xy.max(axis=0)
    span = np.where(hi - lo > 0, hi - lo, 1.0)
    ax.set_xlim(lo[0] - margin * span[0], hi[0] + margin * span[0])
    ax.set_ylim(lo[1] - margin * span[1], hi[1] + margin * span[1])


# Candidate label positions around a point: offset in points and text alignment. Near ones
# first; the far ones get a leader line.
_NEAR = [
    ((5, 0), "left", "center"),
    ((-5, 0), "right", "center"),
    ((0, 5), "center", "bottom"),
    ((0, -5), "center", "top"),
    ((4, 4), "left", "bottom"),
    ((-4, 4), "right", "bottom"),
    ((4, -4), "left", "top"),
    ((-4, -4), "right", "top"),
]
_CANDIDATES = [(off, ha, va, 0) for off, ha, va in _NEAR] + [
    ((dx * f, dy * f), ha, va, 1) for f in (3.0, 5.0) for (dx, dy), ha, va in _NEAR
]


def _overlap(box: Sequence[float], boxes: ArrayLike) -> NDArray[Any]:
    """Overlap areas of ``box`` (x0, y0, x1, y1) with each row of ``boxes``."""
    if len(boxes) == 0:
        return np.zeros(0)
    b = np.asarray(boxes)
    w = np.clip(np.minimum(box[2], b[:, 2]) - np.maximum(box[0], b[:, 0]), 0, None)
    h = np.clip(np.minimum(box[3], b[:, 3]) - np.maximum(box[1], b[:, 1]), 0, None)
    return w * h


def _place_labels(
    ax: _Axes,
    xy: ArrayLike,
    labels: Sequence[str],
    colors: Sequence[str] | None = None,
    fontsize: float = 9,
    obstacles: ArrayLike = (),
    weights: Sequence[str] | None = None,
) -> list[Any]:
    """Labels beside their points, each at the candidate spot that overlaps least with the
    labels placed before it, the other points and ``obstacles`` (data coordinates).

    Greedy, in the given order (put the important labels first). The axes limits and the
    figure size must be final.
    """
    fig = ax.figure
    renderer = fig.canvas.get_renderer()
    to_px = fig.dpi / 72.0
    pts = ax.transData.transform(np.asarray(xy, dtype=float))
    r = 3.5 * to_px
    point_boxes = np.column_stack([pts[:, 0] - r, pts[:, 1] - r, pts[:, 0] + r, pts[:, 1] + r])
    extra = (
        ax.transData.transform(np.asarray(obstacles, dtype=float).reshape(-1, 2))
        if len(obstacles)
        else np.zeros((0, 2))
    )
    extra_boxes = (
        np.column_stack([extra[:, 0] - r, extra[:, 1] - r, extra[:, 0] + r, extra[:, 1] + r])
        if len(extra)
        else np.zeros((0, 4))
    )
    frame = ax.get_window_extent(renderer)
    placed: list[tuple[float, float, float, float]] = []
    texts = []
    for i, label in enumerate(labels):
        probe = ax.text(0, 0, label, fontsize=fontsize)
        bb = probe.get_window_extent(renderer)
        probe.remove()
        w, h = bb.width, bb.height
        best: Any  # the cheapest candidate: one is always found
        best, best_cost = None, None
        others = np.delete(point_boxes, i, axis=0)
        for (dx, dy), ha, va, far in _CANDIDATES:
            ax0 = pts[i, 0] + dx * to_px
            ay0 = pts[i, 1] + dy * to_px
            x0 = ax0 if ha == "left" else ax0 - w if ha == "right" else ax0 - w / 2
            y0 = ay0 if va == "bottom" else ay0 - h if va == "top" else ay0 - h / 2
            box = (x0, y0, x0 + w, y0 + h)
            cost = (
                3.0 * _overlap(box, placed).sum()
                + _overlap(box, others).sum()
                + _overlap(box, extra_boxes).sum()
            )
            outside = (max(frame.x0 - box[0], 0) + max(box[2] - frame.x1, 0)) * h + (
                max(frame.y0 - box[1], 0) + max(box[3] - frame.y1, 0)
            ) * w
            cost += 4.0 * outside + far * 0.05 * w * h
            if best_cost is None or cost < best_cost - 1e-9:
                best, best_cost = ((dx, dy), ha, va, far, box), cost
            if cost == 0:
                break
        (dx, dy), ha, va, far, box = best
        color = colors[i] if colors is not None else "#222222"
        arrow = dict(arrowstyle="-", color="#999999", lw=0.6, shrinkA=0, shrinkB=2) if far else None
        texts.append(
            ax.annotate(
                label,
                xy=tuple(xy[i]),
                xytext=(dx, dy),
                textcoords="offset points",
                ha=ha,
                va=va,
                fontsize=fontsize,
                color=color,
                arrowprops=arrow,
                zorder=4,
            )
        )
        placed.append(box)
    return texts


# ---------------------------------------------------------------------------------------------
# word map
# ---------------------------------------------------------------------------------------------


def plot_words(
    kv: KeyedVectors,
    words: Sequence[Hashable] | None = None,
    top_n: int = 100,
    method: str = "pca",
    groups: Mapping[str, Sequence[Hashable]] | None = None,
    path: str | os.PathLike[str] | None = None,
    title: str | None = None,
    figsize: tuple[float, float] | None = None,
    dpi: float = 150,
    seed: int = 0,
    fontsize: float | None = None,
) -> _Figure:
    """A labelled 2-D map of words.

    Parameters
    ----------
    kv : KeyedVectors
    words : list of str, optional
        Words to draw. Default: the ``top_n`` first keys (the most frequent in a trained
        model).
    top_n : int
        How many keys to draw when ``words`` is not given.
    method : {"pca", "tsne", "umap"}
        Projection, see :func:`project`. PCA axes are labelled with their share of variance.
    groups : dict of {str: list of str}, optional
        Named groups of words, drawn in one colour each with a legend (``words`` is then
        ignored).
    path : str, optional
        Save the figure there (type from the extension: .png, .svg, .pdf, ...).
    title : str, optional
    figsize : (float, float), optional
        Inches; default grows with the number of words.
    dpi : int
        Resolution of raster files.
    seed : int
        Random state of t-SNE / UMAP.
    fontsize : float, optional
        Label size; default shrinks a little for many words.

    Returns
    -------
    matplotlib.figure.Figure

    Raises
    ------
    OOVError
        Some words are not in ``kv`` (all of them are named).
    ImportError
        matplotlib (or the projection's library) is not installed.
    """
    colors = None
    group_of: dict[Hashable, int] | None = None
    chosen = bool(groups) or words is not None
    if groups:
        group_names = list(groups)
        words = _dedupe(w for g in group_names for w in groups[g])
        group_of = {}
        for gi, g in enumerate(group_names):
            for w in groups[g]:
                group_of.setdefault(w, gi)
        colors = [_PALETTE[group_of[w] % len(_PALETTE)] for w in words]
    elif words is None:
        words = list(kv.index_to_key[: int(top_n)])
    else:
        words = _dedupe(words)
    if len(words) < 2:
        raise ValueError(f"need at least 2 words to draw a map; got {len(words)}")
    vectors = _lookup(kv, words)
    labels = [str(w) for w in words]
    if method == "pca":
        xy, ratio = pca(unit_rows(vectors))
    else:
        xy, ratio = project(vectors, method=method, seed=seed), None

    n = len(words)
    if figsize is None:
        side = min(14.0, 6.5 + 0.045 * n)
        figsize = (side * 1.25, side)
    if fontsize is None:
        fontsize = 10 if n <= 40 else 9 if n <= 120 else 7.5
    fig = _new_figure(figsize, dpi=100)
    ax = fig.add_axes((0.03, 0.05, 0.94, 0.86))
    _style_map_axes(ax)
    point_colors = colors if colors is not None else ["#1f77b4"] * n
    ax.scatter(xy[:, 0], xy[:, 1], s=18, c=point_colors, alpha=0.85, linewidths=0, zorder=3)
    _set_limits(ax, xy, margin=0.1)
    _place_labels(ax, xy, labels, colors=colors, fontsize=fontsize)
    if ratio is not None:
        ax.set_xlabel(f"PC1 ({100 * ratio[0]:.1f}% of variance)", fontsize=9, color="#555555")
        ax.set_ylabel(f"PC2 ({100 * ratio[1]:.1f}% of variance)", fontsize=9, color="#555555")
    else:
        ax.set_xlabel(f"{_method_name(method)} 1", fontsize=9, color="#555555")
        ax.set_ylabel(f"{_method_name(method)} 2", fontsize=9, color="#555555")
    if groups:
        from matplotlib.lines import Line2D

        handles = [
            Line2D([], [], marker="o", linestyle="", color=_PALETTE[i % len(_PALETTE)], label=g)
            for i, g in enumerate(groups)
        ]
        ax.legend(handles=handles, loc="best", fontsize=9, frameon=True, framealpha=0.9)
    if title is None:
        what = f"{n} words" if chosen else f"the {n} most frequent words"
        title = f"Word vectors: {what} ({_method_name(method)} of unit vectors)"
    fig.suptitle(title, fontsize=13, y=0.965)
    _save(fig, path, dpi)
    return fig


def _method_name(method: str) -> str:
    return {"pca": "PCA", "tsne": "t-SNE", "umap": "UMAP"}.get(method, method)


# ---------------------------------------------------------------------------------------------
# analogy offsets
# ---------------------------------------------------------------------------------------------


def offset_consistency(kv: KeyedVectors, pairs: Sequence[Sequence[Hashable]]) -> float:
    """Mean pairwise cosine between the offsets ``b - a`` (unit vectors) of the pairs: near 1
    when every pair differs by the same direction, near 0 for unrelated offsets."""
    if len(pairs) < 2:
        return float("nan")
    a = unit_rows(_lookup(kv, [p[0] for p in pairs]))
    b = unit_rows(_lookup(kv, [p[1] for p in pairs]))
    d = unit_rows(b - a)
    sims = d @ d.T
    iu = np.triu_indices(len(pairs), 1)
    return float(sims[iu].mean())


def plot_analogies(
    kv: KeyedVectors,
    pairs: Iterable[Sequence[Hashable]],
    path: str | os.PathLike[str] | None = None,
    title: str | None = None,
    method: str = "pca",
    figsize: tuple[float, float] = (9, 7),
    dpi: float = 150,
    seed: int = 0,
    fontsize: float = 10,
) -> _Figure:
    """Pairs such as (man, woman), (king, queen) drawn together, with an arrow from each
    first word to its second, so a shared offset shows as parallel arrows.

    The projection (PCA by default) is fitted on the words of the pairs only. The subtitle
    gives :func:`offset_consistency` measured in the full space, since a 2-D picture can
    exaggerate or hide parallelism.

    Parameters
    ----------
    kv : KeyedVectors
    pairs : list of (str, str)
    path, title, method, figsize, dpi, seed, fontsize :
        As in :func:`plot_words`.

    Returns
    -------
    matplotlib.figure.Figure
    """
    pairs = [tuple(p) for p in pairs]
    if not pairs or any(len(p) != 2 for p in pairs):
        raise ValueError("pairs must be a non-empty list of (a, b) word pairs")
    words = _dedupe(w for p in pairs for w in p)
    if len(words) < 2:
        raise ValueError("the pairs name fewer than 2 distinct words")
    vectors = _lookup(kv, words)
    if method == "pca":
        xy = pca(unit_rows(vectors))[0]
    else:
        xy = project(vectors, method=method, seed=seed)
    pos = {w: xy[i] for i, w in enumerate(words)}

    fig = _new_figure(figsize, dpi=100)
    ax = fig.add_axes((0.03, 0.04, 0.94, 0.84))
    _style_map_axes(ax)
    sources = _dedupe(p[0] for p in pairs)
    targets = [w for w in _dedupe(p[1] for p in pairs) if w not in set(sources)]
    src_xy = np.array([pos[w] for w in sources])
    ax.scatter(src_xy[:, 0], src_xy[:, 1], s=36, color=_PALETTE[0], zorder=3, linewidths=0)
    if targets:
        tgt_xy = np.array([pos[w] for w in targets])
        ax.scatter(tgt_xy[:, 0], tgt_xy[:, 1], s=36, color=_PALETTE[1], zorder=3, linewidths=0)
    _set_limits(ax, xy, margin=0.14)
    mids = []
    for a, b in pairs:
        pa, pb = pos[a], pos[b]
        ax.annotate(
            "",
            xy=tuple(pb),
            xytext=tuple(pa),
            arrowprops=dict(
                arrowstyle="-|>",
                color="#555555",
                lw=1.3,
                alpha=0.8,
                shrinkA=5,
                shrinkB=5,
                mutation_scale=14,
            ),
            zorder=2,
        )
        # points along the arrow, so that no label is put across it
        for t in np.linspace(0.0, 1.0, 41)[1:-1]:
            mids.append(pa + t * (pb - pa))
    order = [w for p in pairs for w in p]
    order = _dedupe(order)
    color_of = {w: _PALETTE[0] for w in sources}
    color_of.update({w: _PALETTE[1] for w in targets})
    _place_labels(
        ax,
        np.array([pos[w] for w in order]),
        [str(w) for w in order],
        colors=[color_of[w] for w in order],
        fontsize=fontsize,
        obstacles=np.array(mids),
    )
    if title is None:
        shown = ", ".join(f"{a} → {b}" for a, b in pairs[:3])
        title = f"Analogy offsets: {shown}{', …' if len(pairs) > 3 else ''}"
    fig.suptitle(title, fontsize=13, y=0.975)
    sub = f"{_method_name(method)} of the {len(words)} words' unit vectors"
    if len(pairs) >= 2:
        sub += (
            f"; mean cosine between the offsets (full space): {offset_consistency(kv, pairs):.2f}"
        )
    fig.text(0.5, 0.905, sub, ha="center", fontsize=9, color="#555555")
    _save(fig, path, dpi)
    return fig


# ---------------------------------------------------------------------------------------------
# neighbourhood
# ---------------------------------------------------------------------------------------------


def _spread_angles(angles: ArrayLike, min_gap: float) -> NDArray[np.float64]:
    """Angles (radians) moved apart to at least ``min_gap`` while keeping their cyclic order."""
    n = len(angles)
    if n < 2:
        return np.asarray(angles, dtype=float)
    order = np.argsort(angles)
    a = np.asarray(angles, dtype=float)[order]
    min_gap = min(min_gap, 2 * math.pi / n)
    for _ in range(200):
        gaps = np.diff(np.concatenate([a, [a[0] + 2 * math.pi]]))
        bad = gaps < min_gap - 1e-9
        if not bad.any():
            break
        for i in np.flatnonzero(bad):
            j = (i + 1) % n
            push = (min_gap - gaps[i]) / 2
            a[i] -= push
            a[j] += push
        a = np.mod(a, 2 * math.pi)
        o = np.argsort(a)
        a, order = a[o], order[o]
    out = np.empty(n)
    out[order] = a
    return out


def plot_neighbours(
    kv: KeyedVectors,
    word: Hashable,
    topn: int = 12,
    path: str | os.PathLike[str] | None = None,
    title: str | None = None,
    style: str = "radial",
    figsize: tuple[float, float] | None = None,
    dpi: float = 150,
    fontsize: float = 10,
) -> _Figure:
    """A word and its ``topn`` nearest neighbours (cosine).

    ``style="radial"``: the word in the centre, each neighbour at a distance of
    ``1 - similarity`` on dotted similarity rings, in the direction its offset from the word
    takes in a PCA of the neighbourhood (so neighbours that resemble each other sit side by
    side). ``style="bar"``: a bar per neighbour with its similarity.

    Returns
    -------
    matplotlib.figure.Figure
    """
    if style not in ("radial", "bar"):
        raise ValueError(f"style must be 'radial' or 'bar'; got {style!r}")
    _lookup(kv, [word])
    neighbours = kv.most_similar(word, topn=int(topn))
    if not neighbours:
        raise ValueError(f"{word!r} has no neighbours (the vocabulary has one word)")
    names = [str(k) for k, _ in neighbours]
    sims = np.array([s for _, s in neighbours], dtype=float)
    if title is None:
        title = f"Nearest neighbours of '{word}' (cosine similarity)"

    if style == "bar":
        fig = _new_figure(figsize or (7.5, 0.38 * len(names) + 1.4), dpi=100)
        ax = fig.add_subplot(1, 1, 1)
        y = np.arange(len(names))[::-1]
        ax.barh(y, sims, color=_PALETTE[0], alpha=0.85, height=0.7)
        ax.set_yticks(y)
        ax.set_yticklabels(names, fontsize=fontsize)
        lo = min(0.0, float(sims.min()))
        ax.set_xlim(lo, 1.0)
        for yi, s in zip(y, sims):
            ax.text(
                s + 0.01 if s >= 0 else s - 0.01,
                yi,
                f"{s:.3f}",
                va="center",
                ha="left" if s >= 0 else "right",
                fontsize=fontsize - 1,
                color="#333333",
            )
        ax.set_xlabel("cosine similarity", fontsize=9)
        for side in ("top", "right"):
            ax.spines[side].set_visible(False)
        fig.suptitle(title, fontsize=12)
        fig.subplots_adjust(
            left=0.22,
            right=0.95,
            top=1 - 0.6 / fig.get_figheight(),
            bottom=0.55 / fig.get_figheight(),
        )
        _save(fig, path, dpi)
        return fig

    centre = unit_rows(_lookup(kv, [word]))[0]
    offsets = unit_rows(_lookup(kv, [k for k, _ in neighbours])) - centre
    if len(names) >= 2:
        d2 = pca(offsets)[0]
        angles = np.arctan2(d2[:, 1], d2[:, 0])
    else:
        angles = np.zeros(1)
    angles = _spread_angles(np.mod(angles, 2 * math.pi), 2 * math.pi / max(len(names), 1) * 0.8)
    radius = 1.0 - sims
    rmax = float(radius.max()) * 1.15 if radius.max() > 0 else 1.0
    xy = np.column_stack([radius * np.cos(angles), radius * np.sin(angles)])

    fig = _new_figure(figsize or (8, 8), dpi=100)
    ax = fig.add_axes((0.06, 0.04, 0.88, 0.86))
    ax.set_aspect("equal")
    ax.set_xticks([])
    ax.set_yticks([])
    for side in ax.spines.values():
        side.set_visible(False)
    lim = rmax * 1.32
    ax.set_xlim(-lim, lim)
    ax.set_ylim(-lim, lim)
    # similarity rings at round values
    step = _nice_step(rmax)
    ring = step
    from matplotlib.patches import Circle

    while ring <= rmax + 1e-9:
        ax.add_patch(Circle((0, 0), ring, fill=False, linestyle=":", color="#bbbbbb", lw=0.8))
        ax.text(
            ring * math.cos(math.radians(100)),
            ring * math.sin(math.radians(100)),
            f"{1 - ring:.2g}",
            fontsize=7.5,
            color="#999999",
            ha="center",
            va="bottom",
            zorder=2,
            bbox=dict(boxstyle="square,pad=0.1", fc="white", ec="none", alpha=0.8),
        )
        ring += step
    norm_s = (sims - sims.min()) / (np.ptp(sims) or 1.0)
    for (x, y), s in zip(xy, norm_s):
        ax.plot([0, x], [0, y], color="#9ecae1", lw=0.6 + 1.6 * s, zorder=1)
    ax.scatter(xy[:, 0], xy[:, 1], s=30 + 50 * norm_s, color=_PALETTE[0], zorder=3, linewidths=0)
    ax.scatter([0], [0], s=120, color=_PALETTE[1], zorder=4, linewidths=0)
    ax.annotate(
        str(word),
        (0, 0),
        xytext=(0, 9),
        textcoords="offset points",
        ha="center",
        va="bottom",
        fontsize=fontsize + 3,
        fontweight="bold",
        color=_PALETTE[1],
        zorder=5,
        bbox=dict(boxstyle="round,pad=0.15", fc="white", ec="none", alpha=0.85),
    )
    # labels outward from the centre, with the similarity
    for (x, y), a, name, s in zip(xy, angles, names, sims):
        ha = "left" if math.cos(a) > 0.3 else "right" if math.cos(a) < -0.3 else "center"
        va = "bottom" if math.sin(a) > 0.3 else "top" if math.sin(a) < -0.3 else "center"
        ax.annotate(
            f"{name} ({s:.2f})",
            (x, y),
            xytext=(7 * math.cos(a), 7 * math.sin(a)),
            textcoords="offset points",
            ha=ha,
            va=va,
            fontsize=fontsize,
            color="#222222",
            zorder=5,
        )
    fig.suptitle(title, fontsize=13, y=0.975)
    fig.text(
        0.5,
        0.925,
        "distance from the centre = 1 − similarity; dotted rings mark similarity levels",
        ha="center",
        fontsize=8.5,
        color="#666666",
    )
    _save(fig, path, dpi)
    return fig


def _nice_step(span: float) -> float:
    """A round ring spacing giving 2 to 5 rings within ``span``."""
    for step in (0.01, 0.02, 0.05, 0.1, 0.2, 0.25, 0.5, 1.0):
        if span / step <= 5:
            return step
    return 1.0


# ---------------------------------------------------------------------------------------------
# projector
# ---------------------------------------------------------------------------------------------


def export_projector(
    kv: KeyedVectors,
    vectors_tsv: str | os.PathLike[str],
    metadata_tsv: str | os.PathLike[str] | None = None,
    limit: int | None = None,
    attrs: Sequence[str] = (),
) -> None:
    """TSV files for the TensorBoard Embedding Projector (projector.tensorflow.org).

    See :func:`fastembed_core.vectors.formats.export_projector` for the parameters.
    """
    return formats.export_projector(kv, vectors_tsv, metadata_tsv, limit=limit, attrs=attrs)
