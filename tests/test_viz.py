"""Pictures: projections (numpy PCA checked against geometry), the three figure kinds as PNG
and SVG files, label placement, errors, and the ``plot`` subcommand in a subprocess."""

import importlib.util
import os
import struct
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET

import numpy as np
import pytest

from fastembed_core import KeyedVectors
from fastembed_core.errors import OOVError
from fastembed_core.vectors import viz

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def png_size(path):
    """(width, height) from a PNG's IHDR chunk, after checking the signature."""
    with open(path, "rb") as f:
        head = f.read(24)
    assert head[:8] == PNG_SIGNATURE, head[:8]
    assert head[12:16] == b"IHDR"
    return struct.unpack(">II", head[16:24])


def _kv(groups=4, per_group=8, dim=20, spread=0.25, seed=0):
    """Keys g<k>_<i> around one random centre per group."""
    rng = np.random.default_rng(seed)
    centres = rng.normal(size=(groups, dim))
    keys, rows = [], []
    for g in range(groups):
        for i in range(per_group):
            keys.append(f"g{g}_{i}")
            rows.append(centres[g] + spread * rng.normal(size=dim))
    kv = KeyedVectors(dim)
    kv.add_vectors(keys, np.array(rows, dtype=np.float32))
    return kv


def _analogy_kv(seed=0, dim=24, noise=0.0):
    rng = np.random.default_rng(seed)
    offset = rng.normal(size=dim)
    keys, rows = [], []
    for i in range(6):
        base = rng.normal(size=dim)
        keys += [f"a{i}", f"b{i}"]
        rows += [base, base + offset + noise * rng.normal(size=dim)]
    kv = KeyedVectors(dim)
    kv.add_vectors(keys, np.array(rows, dtype=np.float32))
    return kv, [(f"a{i}", f"b{i}") for i in range(6)]


# ---------------------------------------------------------------------------------------------
# projection (numpy only)
# ---------------------------------------------------------------------------------------------


def test_pca_keeps_the_geometry_of_planar_data():
    rng = np.random.default_rng(1)
    plane = rng.normal(size=(40, 2)) * [3.0, 1.0]
    basis, _ = np.linalg.qr(rng.normal(size=(50, 2)))
    x = plane @ basis.T + 5.0  # a plane in 50-D, off the origin
    xy = viz.project(x, normalize=False)
    d_in = np.linalg.norm(x[:, None] - x[None], axis=-1)
    d_out = np.linalg.norm(xy[:, None] - xy[None], axis=-1)
    np.testing.assert_allclose(d_out, d_in, atol=1e-8)
    # axes are uncorrelated, ordered by variance
    cov = np.cov(xy.T)
    assert abs(cov[0, 1]) < 1e-8 and cov[0, 0] > cov[1, 1]
    # deterministic sign
    np.testing.assert_array_equal(xy, viz.project(x, normalize=False))


def test_project_errors():
    with pytest.raises(ValueError, match="at least 2"):
        viz.project(np.zeros((1, 5)))
    with pytest.raises(ValueError, match="method"):
        viz.project(np.eye(5), method="mds")
    with pytest.raises(ValueError, match="NaN"):
        viz.project(np.array([[1.0, np.nan], [0.0, 1.0]]))


def test_tsne_projection():
    pytest.importorskip("sklearn")
    kv = _kv(groups=3, per_group=10)
    xy = viz.project(kv.vectors, method="tsne", seed=0)
    assert xy.shape == (30, 2) and np.isfinite(xy).all()
    # groups stay together: each point's nearest neighbour in 2-D is from its group
    d = np.linalg.norm(xy[:, None] - xy[None], axis=-1)
    np.fill_diagonal(d, np.inf)
    nearest = d.argmin(axis=1)
    assert np.mean(nearest // 10 == np.arange(30) // 10) > 0.9


def test_umap_projection():
    pytest.importorskip("umap")
    xy = viz.project(_kv(groups=3, per_group=10).vectors, method="umap", seed=0)
    assert xy.shape == (30, 2) and np.isfinite(xy).all()


def test_missing_optional_libraries_give_clear_import_errors(monkeypatch):
    monkeypatch.setitem(sys.modules, "sklearn", None)
    monkeypatch.setitem(sys.modules, "sklearn.manifold", None)
    monkeypatch.setitem(sys.modules, "umap", None)
    with pytest.raises(ImportError, match="pip install scikit-learn"):
        viz.project(np.eye(6), method="tsne")
    with pytest.raises(ImportError, match="pip install umap-learn"):
        viz.project(np.eye(6), method="umap")
    monkeypatch.setitem(sys.modules, "matplotlib.figure", None)
    with pytest.raises(ImportError, match="pip install matplotlib"):
        viz.plot_words(_kv(), top_n=5)


# ---------------------------------------------------------------------------------------------
# figures
# ---------------------------------------------------------------------------------------------

needs_mpl = pytest.mark.skipif(
    importlib.util.find_spec("matplotlib") is None, reason="matplotlib is not installed"
)


def _label_boxes(fig):
    ax = fig.axes[0]
    renderer = fig.canvas.get_renderer()
    return [t.get_window_extent(renderer) for t in ax.texts if t.get_text()]


def _overlapping_pairs(boxes):
    n = 0
    for i in range(len(boxes)):
        for j in range(i + 1, len(boxes)):
            a, b = boxes[i], boxes[j]
            if a.x0 < b.x1 and b.x0 < a.x1 and a.y0 < b.y1 and b.y0 < a.y1:
                n += 1
    return n


@needs_mpl
@pytest.mark.parametrize("ext", ["png", "svg"])
def test_word_map_files(tmp_path, ext):
    kv = _kv()
    path = tmp_path / f"map.{ext}"
    fig = viz.plot_words(kv, top_n=20, path=str(path), title="A map")
    assert path.stat().st_size > 5000
    if ext == "png":
        w, h = png_size(path)
        assert w > 600 and h > 400
    else:
        raw = path.read_text(encoding="utf-8")
        assert ET.fromstring(raw.encode()).tag.endswith("svg")
        for key in kv.index_to_key[:20]:
            assert f"<!-- {key} -->" in raw  # every label is drawn
    labels = [t.get_text() for t in fig.axes[0].texts]
    assert labels == list(kv.index_to_key[:20])
    assert fig._suptitle.get_text() == "A map"
    assert "PC1" in fig.axes[0].get_xlabel()


@needs_mpl
def test_label_placement_beats_naive_labels():
    """Many labels in a crowded map: the placement overlaps far less than putting every
    label at the right of its point."""
    kv = _kv(groups=3, per_group=25, spread=0.6, seed=4)
    fig = viz.plot_words(kv, top_n=75)
    placed = _overlapping_pairs(_label_boxes(fig))
    ax = fig.axes[0]
    renderer = fig.canvas.get_renderer()
    naive = []
    for t in list(ax.texts):
        t.set_position((5, 0))
        t.set_horizontalalignment("left")
        t.set_verticalalignment("center")
        naive.append(t.get_window_extent(renderer))
    assert placed < _overlapping_pairs(naive) / 2, (placed, _overlapping_pairs(naive))
    # and labels stay inside the axes
    frame = ax.get_window_extent(renderer)
    fig2 = viz.plot_words(kv, top_n=75)
    for box in _label_boxes(fig2):
        assert box.x0 >= frame.x0 - 2 and box.x1 <= frame.x1 + 2


@needs_mpl
def test_word_map_with_groups_and_chosen_words(tmp_path):
    kv = _kv()
    groups = {"first": ["g0_0", "g0_1", "g0_2"], "second": ["g1_0", "g1_1"]}
    fig = viz.plot_words(kv, groups=groups, path=str(tmp_path / "g.png"))
    assert [t.get_text() for t in fig.axes[0].legend_.get_texts()] == ["first", "second"]
    from matplotlib.colors import to_hex

    colors = {t.get_text(): to_hex(t.get_color()) for t in fig.axes[0].texts}
    assert colors["g0_0"] == colors["g0_2"] != colors["g1_0"]
    png_size(tmp_path / "g.png")
    fig = viz.plot_words(kv, words=["g2_1", "g3_3", "g2_1"])  # duplicates drawn once
    assert sorted(t.get_text() for t in fig.axes[0].texts) == ["g2_1", "g3_3"]


@needs_mpl
def test_word_map_with_tsne(tmp_path):
    pytest.importorskip("sklearn")
    fig = viz.plot_words(_kv(), top_n=24, method="tsne", path=str(tmp_path / "t.png"))
    assert "t-SNE" in fig._suptitle.get_text()
    png_size(tmp_path / "t.png")


@needs_mpl
def test_unknown_words_are_all_named():
    kv = _kv()
    with pytest.raises(OOVError, match="'nope'.*'neither'"):
        viz.plot_words(kv, words=["g0_0", "nope", "neither"])
    with pytest.raises(OOVError, match="'zzz'"):
        viz.plot_neighbours(kv, "zzz")
    with pytest.raises(OOVError, match="'b9'"):
        viz.plot_analogies(kv, [("g0_0", "b9")])


@needs_mpl
def test_bad_output_name(tmp_path):
    with pytest.raises(ValueError, match="unknown image type 'xyz'"):
        viz.plot_words(_kv(), top_n=5, path=str(tmp_path / "a.xyz"))
    with pytest.raises(FileNotFoundError):
        viz.plot_words(_kv(), top_n=5, path=str(tmp_path / "missing" / "a.png"))


@needs_mpl
def test_analogy_figure_and_offset_consistency(tmp_path):
    kv, pairs = _analogy_kv()
    assert viz.offset_consistency(kv, pairs) > 0.2
    path = tmp_path / "analogy.png"
    fig = viz.plot_analogies(kv, pairs, path=str(path))
    w, h = png_size(path)
    assert w > 600 and h > 400
    ax = fig.axes[0]
    arrows = [t for t in ax.texts if not t.get_text() and t.arrow_patch is not None]
    assert len(arrows) == len(pairs)
    labels = sorted(t.get_text() for t in ax.texts if t.get_text())
    assert labels == sorted(w for p in pairs for w in p)
    subtitle = " ".join(t.get_text() for t in fig.texts)
    assert "mean cosine between the offsets" in subtitle
    assert _overlapping_pairs(_label_boxes(fig)) == 0
    # identical offsets are perfectly consistent; unrelated pairs are not
    exact, _ = _analogy_kv(noise=0.0)
    unrelated = _kv(groups=1, per_group=12, spread=1.0)
    random_pairs = [(f"g0_{i}", f"g0_{i + 6}") for i in range(6)]
    assert viz.offset_consistency(unrelated, random_pairs) < viz.offset_consistency(exact, pairs)


@needs_mpl
@pytest.mark.parametrize("style,ext", [("radial", "png"), ("bar", "svg")])
def test_neighbourhood_figure(tmp_path, style, ext):
    kv = _kv()
    path = tmp_path / f"nb.{ext}"
    fig = viz.plot_neighbours(kv, "g1_1", topn=6, style=style, path=str(path))
    expected = [w for w, _ in kv.most_similar("g1_1", topn=6)]
    if ext == "png":
        png_size(path)
        shown = [t.get_text().split(" (")[0] for t in fig.axes[0].texts]
        assert set(expected) <= set(shown)
    else:
        raw = path.read_text(encoding="utf-8")
        ET.fromstring(raw.encode())
        assert [t.get_text() for t in fig.axes[0].get_yticklabels()] == expected
    with pytest.raises(ValueError, match="style"):
        viz.plot_neighbours(kv, "g1_1", style="pie")


def test_spread_angles_keeps_order_and_separates():
    angles = np.array([0.10, 0.11, 0.12, 3.0, 5.0])
    out = viz._spread_angles(angles, 0.5)
    ordered = np.sort(out)
    gaps = np.diff(np.concatenate([ordered, [ordered[0] + 2 * np.pi]]))
    assert gaps.min() >= 0.5 - 1e-6
    # the cyclic order is kept (a label may wrap past 0)
    before, after = list(np.argsort(angles)), list(np.argsort(out))
    k = after.index(before[0])
    assert after[k:] + after[:k] == before


def test_export_projector_wrapper(tmp_path):
    kv = _kv()
    viz.export_projector(kv, str(tmp_path / "v.tsv"), str(tmp_path / "m.tsv"), limit=5)
    assert len((tmp_path / "v.tsv").read_text().splitlines()) == 5
    assert (tmp_path / "m.tsv").read_text().splitlines() == kv.index_to_key[:5]


# ---------------------------------------------------------------------------------------------
# the plot subcommand
# ---------------------------------------------------------------------------------------------

_NEUTRAL_DIR = tempfile.mkdtemp(prefix="fastembed-viz-test-")


def _run(*args):
    # from an empty folder, so that the installed package is imported, not the source folder
    return subprocess.run(
        [sys.executable, "-m", "fastembed_core"] + [str(a) for a in args],
        capture_output=True,
        text=True,
        timeout=180,
        cwd=_NEUTRAL_DIR,
    )


@needs_mpl
def test_plot_subcommand_all_kinds(tmp_path):
    kv, pairs = _analogy_kv()
    vec = tmp_path / "v.bin"
    kv.save_word2vec_format(str(vec), binary=True)
    runs = [
        ("top.png", []),
        ("words.svg", ["a0", "a1", "b2", "b3"]),
        ("pairs.png", ["--pairs"] + [f"{a}:{b}" for a, b in pairs]),
        ("nb.png", ["--neighbours", "a1", "-n", "5"]),
        ("nbbar.pdf", ["--neighbours", "a1", "--style", "bar"]),
    ]
    for name, extra in runs:
        out = tmp_path / name
        r = _run("plot", vec, "-o", out, *extra)
        assert r.returncode == 0, r.stderr
        assert f"wrote {out}" in r.stderr
        if name.endswith(".png"):
            png_size(out)
        elif name.endswith(".svg"):
            ET.fromstring(out.read_bytes())
        else:
            assert out.read_bytes()[:5] == b"%PDF-"


@needs_mpl
def test_plot_subcommand_errors(tmp_path):
    kv, _ = _analogy_kv()
    vec = tmp_path / "v.txt"
    kv.save_word2vec_format(str(vec))
    for args, fragment in [
        (["a0", "missing_word"], "'missing_word'"),
        (["-o", tmp_path / "x.bmpx"], "unknown image type"),
        (["--neighbours", "nope"], "'nope'"),
    ]:
        out = ["-o", tmp_path / "x.png"] if "-o" not in args else []
        r = _run("plot", vec, *out, *args)
        assert r.returncode == 1, r.stderr
        assert "Traceback" not in r.stderr
        assert fragment in r.stderr and len(r.stderr.strip().splitlines()) == 1
    assert not os.path.exists(tmp_path / "x.png")
