import os
import sys

import pytest

# Shared oracles and helpers live beside the tests (tests/_reference.py); the package under
# test is always the installed one (pytest runs in importlib mode).
sys.path.insert(0, os.path.dirname(__file__))

# Child Pythons started by tests (`python -c`, `python -m fastembed_core`) would put the
# current folder first on sys.path, and from the checkout's root that is the unbuilt source
# tree. PYTHONSAFEPATH (Python >= 3.11) keeps them on the installed package too.
os.environ["PYTHONSAFEPATH"] = "1"

# Tests marked `slow` (`pytest -m "not slow"` leaves them out), kept here rather than as
# decorators in the test files. How the list was made: the whole suite was timed once with
#     PYTHONPATH=$PWD python -m pytest -q -p no:cacheprovider --durations=0 tests
# (2 shared cores; whole run 210 s) and every test whose setup + call + teardown took 0.5 s or
# more is listed: the atheris fuzz runs, the sanitizer builds, training in child processes,
# the demo, Ctrl-C and plotting subcommands, gensim evaluations. A parametrized test is listed
# whole when every one of its cases took that long, else by case. tests/test_sanitizers.py is
# listed whole: each of its tests compiles an instrumented build. Together they took 179 s of
# the 210 s; the other ~830 tests run in about 30 s. Entries are node-id prefixes: an entry
# matches a test whose node id equals it or continues it with `[` (a case) or `::` (a test in
# a file or class). Re-time and update the list when a test becomes slow or fast.
SLOW = (
    "tests/test_cli.py::test_analogy_needs_three_words",
    "tests/test_cli.py::test_analogy_with_arguments_and_interactively",
    "tests/test_cli.py::test_console_script_entry_point",
    "tests/test_cli.py::test_convert_round_trips_through_every_format",
    "tests/test_cli.py::test_ctrl_c_stops_training_quickly_without_a_traceback",
    "tests/test_cli.py::test_eval_analogies_and_pairs",
    "tests/test_cli.py::test_eval_defaults_to_the_bundled_questions",
    "tests/test_cli.py::test_export_projector_rows_and_widths",
    "tests/test_cli.py::test_similar_for_words_given_as_arguments",
    "tests/test_cli.py::test_subcommand_bad_input[args6---to-2]",
    "tests/test_cli.py::test_train_progress_lines_when_not_a_terminal_and_nothing_when_quiet",
    "tests/test_cli.py::test_train_reads_a_vocabulary_file",
    "tests/test_cli.py::test_word2vec_flags_end_to_end",
    "tests/test_cli.py::test_word2vec_mode_usage_lists_every_flag",
    "tests/test_cli.py::test_word2vec_output_loads_in_gensim_with_the_same_vectors",
    "tests/test_cli.py::test_word2vec_save_vocab_and_read_vocab_round_trip",
    "tests/test_corpus_file.py::test_c_level_tests_under_sanitizers",
    "tests/test_corpus_file.py::test_ctrl_c_stops_a_long_read",
    "tests/test_corpus_file.py::test_gil_is_released_while_reading[count]",
    "tests/test_corpus_file.py::test_one_enormous_line_streams_in_bounded_memory",
    "tests/test_corpus_file.py::test_random_bytes_match_pythons_decoder",
    "tests/test_corpus_file.py::test_random_unicode_round_trip",
    "tests/test_dask.py::test_vocabulary_equals_the_single_machine_scan",
    "tests/test_dask.py::test_a_bag_of_token_lists_gives_the_local_vocabulary",
    "tests/test_dask.py::test_fsspec_urls_and_globs_give_the_local_vocabulary",
    "tests/test_dask.py::test_trained_model_is_sane_and_as_good_as_local",
    "tests/test_dask.py::test_training_is_reproducible_and_the_schemes_differ",
    "tests/test_dask.py::test_a_worker_killed_mid_training_gives_the_same_model",
    "tests/test_dask.py::test_a_worker_without_its_combined_delta_gets_the_drivers_copy",
    "tests/test_dask.py::test_checkpoint_and_resume_continue_the_same_run",
    "tests/test_dask.py::test_bad_calls_fail_before_any_work",
    "tests/test_dask.py::test_skip_gram_at_a_replica_rate_above_the_measured_one_is_warned_about",
    "tests/test_datasets.py::test_sample_corpus_is_cached",
    "tests/test_demo.py::test_demo_one_epoch",
    "tests/test_demo.py::test_demo_without_matplotlib_and_gensim",
    "tests/test_doc2vec.py::test_gensims_tagged_documents_and_a_memory_mapped_load",
    "tests/test_doc2vec.py::test_parameters_and_defaults_equal_gensims",
    "tests/test_doc2vec_gensim.py",
    "tests/test_formats.py::test_fuzzed_files_raise_only_documented_errors",
    "tests/test_fuzz_smoke.py::test_atheris_short_run",
    "tests/test_fuzz_smoke.py::test_random_mutations_raise_only_documented_errors[native]",
    "tests/test_fasttext.py::test_misspelt_words_find_their_correct_form",
    "tests/test_fasttext.py::test_parameters_and_defaults_equal_gensims",
    "tests/test_fasttext_cli.py::test_cbow_with_hs_and_no_ngrams",
    "tests/test_fasttext_cli.py::test_fasttext_style_errors",
    "tests/test_fasttext_cli.py::test_help_lists_every_flag",
    "tests/test_fasttext_cli.py::test_missing_files_are_input_errors",
    "tests/test_fasttext_cli.py::test_nn_prints_neighbours_after_query_prompts",
    "tests/test_fasttext_cli.py::test_print_word_vectors_prints_fasttexts_vectors_for_any_word",
    "tests/test_fasttext_cli.py::test_skipgram_writes_a_bin_and_a_vec_that_agree",
    "tests/test_gensim_drop_in.py::test_continuing_a_gensim_model_keeps_what_it_learned",
    "tests/test_gensim_drop_in.py::test_gensim_huffman_tree_is_kept",
    "tests/test_gensim_drop_in.py::test_gensim_round_trip_is_exact",
    "tests/test_gensim_interop.py::test_evaluate_word_analogies_equals_gensim",
    "tests/test_gensim_interop.py::test_evaluate_word_analogies_options_equal_gensim[kw0]",
    "tests/test_gensim_interop.py::test_evaluate_word_analogies_options_equal_gensim[kw3]",
    "tests/test_gensim_script.py",
    "tests/test_graph.py::test_node2vec_command_line",
    "tests/test_kernel_reference.py::test_long_sentence_is_trained_whole",
    "tests/test_lazy_rows.py::test_fasttext_with_two_million_buckets_commits_only_the_used_rows",
    "tests/test_newcomer_edges.py::test_analogy_evaluation_peaks_near_the_vectors_memory",
    "tests/test_newcomer_edges.py::test_model_saves_and_the_corpus_cache_follow_the_umask",
    "tests/test_newcomer_edges.py::test_plot_takes_limit_like_every_subcommand_and_vocab_limit_still_works",
    "tests/test_newcomer_edges.py::test_word_pair_evaluation_does_not_import_scipy",
    "tests/test_phrases.py::test_add_vocab_merge_and_prune_like_gensim",
    "tests/test_phrases.py::test_from_gensim",
    "tests/test_phrases.py::test_full_corpus_same_as_gensim",
    "tests/test_phrases.py::test_gil_is_released_while_counting_a_file",
    "tests/test_phrases.py::test_same_as_gensim",
    "tests/test_phrases.py::test_save_load_round_trip",
    "tests/test_phrases.py::test_score_candidate_like_gensim",
    "tests/test_phrases.py::test_scorer_functions_match_c_path",
    "tests/test_phrases.py::test_word2phrase_matches_model",
    "tests/test_sanitizers.py",
    "tests/test_subword_kernel.py::test_cbow_sums_across_the_kept_word_buffer_matches_reference",
    # scikit-learn: a child Python; models trained in each fold of a grid search; the bundled
    # corpus's first 40,000 lines trained and two grid searches (about 25-40 s on 2 busy cores)
    "tests/test_sklearn.py::test_import_fastembed_core_does_not_import_sklearn",
    "tests/test_sklearn.py::test_model_transformers_in_a_grid_search",
    "tests/test_sklearn.py::test_pipeline_and_grid_search_classify_word_relations",
    "tests/test_training_faults.py::test_ctrl_c_stops_training_promptly_and_model_stays_usable",
    "tests/test_training_faults.py::test_mutating_while_training_is_refused",
    "tests/test_viz.py::test_plot_subcommand_all_kinds",
    "tests/test_viz.py::test_plot_subcommand_errors",
    "tests/test_word2vec.py::test_single_worker_is_bitwise_reproducible_across_processes",
)


def is_listed_slow(nodeid, prefixes=SLOW):
    """Whether a node id is one of the listed prefixes or continues one with `[` or `::`."""
    return any(nodeid == p or nodeid.startswith((p + "[", p + "::")) for p in prefixes)


def pytest_collection_modifyitems(config, items):
    for item in items:
        if is_listed_slow(item.nodeid):
            item.add_marker(pytest.mark.slow)
