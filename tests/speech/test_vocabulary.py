"""The centre's vocabulary: read from its file, chosen per call, given to the recogniser as
hotwords; names are spelt right where they are said and never appear where they are not."""
from __future__ import annotations

import line_sounds
import numpy as np
import pytest
import voices
from click.testing import CliRunner

from qa_pipeline.cli.main import cli
from qa_pipeline.errors import InputError
from qa_pipeline.records import CallInfo
from qa_pipeline.speech.vocabulary import Vocabulary, read_vocabulary

FILE = """\
terms: [Fabrikam Insurance, Zylotech]
greeting: Thank you for calling Fabrikam Insurance, my name is
teams:
  claims:
    terms: [Claims Direct]
queues:
  cn-support:
    terms: [北风银行]
    greeting: 您好，北风银行，工号
"""


@pytest.fixture
def vocabulary_file(tmp_path):
    path = tmp_path / "vocabulary.yaml"
    path.write_text(FILE, encoding="utf-8")
    return path


def test_a_call_gets_the_centre_team_queue_and_agent_words(vocabulary_file):
    book = read_vocabulary(vocabulary_file)
    plain = book.for_call(CallInfo("c1"))
    assert plain.terms == ("Fabrikam Insurance", "Zylotech")
    assert plain.hotwords() == "Thank you for calling Fabrikam Insurance, my name is, Fabrikam Insurance, Zylotech"
    claims = book.for_call(CallInfo("c2", team="claims", agent_name="Siobhan Kelly"))
    assert claims.terms == ("Fabrikam Insurance", "Zylotech", "Claims Direct", "Siobhan Kelly")
    chinese = book.for_call(CallInfo("c3", metadata={"queue": "cn-support"}))
    assert chinese.greeting == "您好，北风银行，工号" and "北风银行" in chinese.terms
    assert Vocabulary().hotwords() is None


@pytest.mark.parametrize(("text", "problem"), [
    ("terms: [A]\ngreting: Hello\n", "unknown key 'greting' (allowed: terms, greeting, numbers)"),
    ("teams: [a, b]\n", "teams: must map each team name"),
    ("terms: {a: 1}\n", "terms must be a list"),
    ("- just\n- a list\n", "a vocabulary file is a mapping"),
])
def test_a_wrong_file_says_where_and_what_is_allowed(tmp_path, text, problem):
    path = tmp_path / "v.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError, match=problem.replace("(", r"\(").replace(")", r"\)").replace("[", r"\[")):
        read_vocabulary(path)


def test_qa_run_refuses_a_bad_vocabulary_file_in_one_line(tmp_path):
    (tmp_path / "calls").mkdir()
    bad = tmp_path / "v.yaml"
    bad.write_text("terms: [A]\nsynonyms: [B]\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["run", str(tmp_path / "calls"), "--db", str(tmp_path / "qa.duckdb"),
                                      "--vocabulary", str(bad)])
    assert result.exit_code == 2
    assert "unknown key 'synonyms'" in result.output


def _line(text: str) -> np.ndarray:
    quiet = np.random.default_rng(3).normal(0, 10 ** (-70 / 20), 16000).astype(np.float32)
    return np.concatenate([quiet, voices.render_line(text, steep=False), quiet])


@pytest.mark.slow
def test_hotwords_spell_the_centres_names(transcriber, vocabulary_file):
    """Without the vocabulary whisper-base hears "Fabric M. Insurance" and "Shu Wan"."""
    vocabulary = read_vocabulary(vocabulary_file).for_call(CallInfo("c", agent_name="Siobhan"))
    samples = _line("Thank you for calling Fabrikam Insurance, my name is Siobhan, how can I help you?")
    before = " ".join(w.text for w in transcriber.transcribe(samples, language="en").words)
    after = " ".join(w.text for w in transcriber.transcribe(samples, language="en", vocabulary=vocabulary).words)
    assert "Fabrikam" not in before  # the name is hard for the model: the test can fail
    assert "Fabrikam" in after and "Siobhan" in after


@pytest.mark.slow
def test_hotwords_put_no_name_into_a_call_that_never_says_it_nor_into_pauses(transcriber, vocabulary_file):
    vocabulary = read_vocabulary(vocabulary_file).for_call(CallInfo("c", agent_name="Siobhan"))
    pause = np.random.default_rng(4).normal(0, 10 ** (-60 / 20), int(2.5 * 16000)).astype(np.float32)
    samples = np.concatenate([
        _line("Good morning, you are through to customer service."), pause,  # a pause short enough to keep
        _line("I am calling because my credit card was declined this morning."), pause, pause,
    ])
    text = " ".join(w.text for w in transcriber.transcribe(samples, language="en", vocabulary=vocabulary).words)
    assert "credit card" in text
    for name in ("Fabrikam", "Zylotech", "Siobhan", "Insurance", "Thank you for calling"):
        assert name.lower() not in text.lower(), text
    noise = np.random.default_rng(5).normal(0, 0.01, 10 * 16000).astype(np.float32)
    assert transcriber.transcribe(noise, language="en", vocabulary=vocabulary).words == ()
    # a side that only waited: ringing, then hold music and a keypad tone or two
    waiting = line_sounds.line(np.concatenate([line_sounds.ringback(10.0), line_sounds.hold_music(20.0),
                                               line_sounds.dtmf("12", gap=3.0)]))
    assert transcriber.transcribe(waiting, language="en", vocabulary=vocabulary).words == ()
