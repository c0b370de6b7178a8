"""Test rigs (a private PulseAudio server, word error rate). The product never imports these; the tests
and the scripts in scripts/ do, with tests/ on sys.path."""
