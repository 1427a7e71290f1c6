"""Names vulture (``make lint``, min confidence 60) reports as unused but that are used.

Each group says who uses them. Vulture only parses this file; it is never imported or run.
Before adding a name, grep src, tests, docs and examples: a name nothing uses is deleted instead.
"""

# ruff: noqa
# mypy: ignore-errors

_ = object()

# Module hooks Python calls: lazy public names and dir() (worksheetkit, worksheetkit.preview).
__getattr__
__dir__

# Click calls these: the lazy command group's overrides and the fhir subcommands registered
# by decorator; eager option callbacks receive (ctx, param, value).
_.list_commands
_.get_command
_.format_commands
export_cmd
import_cmd
export_response_cmd
import_response_cmd
param

# Library hooks: re2.Options, PyYAML's resolver (overridden with PyYAML's signature),
# markdown-it's link check, WeasyPrint's url_fetcher signature.
_.log_errors
_.descend_resolver
_.ascend_resolver
current_index
current_node
implicit
_.validateLink
kwargs

# Pydantic: the model configuration, document fields read through model_dump, the JSON
# Schema and the templates, and the validators pydantic calls.
model_config
worksheetkit
homepage
how_long
coping
client
paused
_._numeric_keys
_._one_envelope

# Read by the Jinja templates (src/worksheetkit/rendering/templates, site, reports).
print_extra
_.print_extra
_.error_class
_.form_value
_.other_value
_.other_checked
_.optional_text
_.print_lines
_.marks
_.error_ref
_.error_prefix
_.describedby
# Public: Runtime's hashes are for apps (CSP header, SRI), docs/rendering.md.
_.csp_hash
pw
in_range
dots
plot
basis
starting

# Public API documented in docs/ and used by the tests.
adherence_stream  # docs/adherence.md
portability_warnings  # tests/test_portability.py
_.eligible  # OccurrenceResult.eligible
_.streak  # AdherenceReport.streak, docs/adherence.md
_.held  # the unlock memory bound, tests/test_adherence_memory.py
_.grace_until_utc  # Occurrence, docs/scheduling.md
_.newest  # LoadedPack.newest, docs/api.md
_.from_dict  # Submission.from_dict, docs/api.md, tests/test_intake.py

# Unused, but in modules other branches are editing now: delete them after those merges.
FHIR_VERSION  # src/worksheetkit/fhir/_common.py
DURATION_KEYS  # src/worksheetkit/validation/worksheet.py

# Public API of worksheetkit.schema (docs/api.md "Results and JSON"; tests/test_results_roundtrip.py):
# the class behind a published result schema name.
result_type

# Fields read only through dataclasses.fields() by the JSON serializer (_results.JsonResult).
_.weekly  # progress.Series.weekly: to_dict/from_dict, docs/adherence.md
_.urgent_alerts  # intake.Submission.urgent_alerts: docs/api.md, examples/app
_.received_at  # intake.Submission.received_at: docs/api.md

# Library hooks: PyYAML's representer reads it (rendering/_canonical.py sets it as represent_data does).
_.alias_key

# progress/_core.py make_submission/make_result: assigning __class__ turns the same-layout
# builder into the frozen record (Python reads it; vulture sees a store only).
_.__class__

# PyYAML's emitter reads these in choose_scalar_style (rendering/_canonical.py asks it).
_.analysis
_.simple_key_context
