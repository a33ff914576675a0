"""Text inputs in the encodings call centres produce: UTF-8 (BOM), GBK/GB18030, UTF-16 — or junk."""
from __future__ import annotations

import os

import pytest

from qa_pipeline.errors import InputError
from qa_pipeline.textio import decode_text, read_text_file

CSV_ZH = ("file,call_id,agent_id,agent_name,team,ring_seconds\n"
          "call1.wav,c1,A1021,王晓,售后一组,8\ncall2.wav,c2,A1022,李娜,售后二组,12\n")


@pytest.mark.parametrize("encoding,text", [
    ("utf-8", CSV_ZH), ("utf-8-sig", CSV_ZH), ("gbk", CSV_ZH), ("gb18030", CSV_ZH), ("utf-16", CSV_ZH),
    ("gbk", "王晓"), ("gbk", "file,agent_name\na.wav,张三\nb.wav,Müller\n"),
    ("gb18030", "name\n𠮷野家\n"),  # a four-byte GB18030 character GBK lacks
    ("utf-16", "file,agent_name\na.wav,José Müller café\n"),
    ("cp1252", "file,agent_name\na.wav,José Müller café\n"),
    ("big5", "file,call_id,agent_name,team\na.wav,c1,王曉明,售後一組\nb.wav,c2,李娜,售後二組\n"),
    ("big5", "您好，請問有什麼可以幫您？我的帳號無法登入。"),
])
def test_reads_common_encodings(tmp_path, encoding, text):
    path = tmp_path / "meta.csv"
    path.write_bytes(text.encode(encoding))
    assert read_text_file(path) == text


def test_empty_file_is_empty_text(tmp_path):
    (tmp_path / "e.csv").write_bytes(b"")
    assert read_text_file(tmp_path / "e.csv") == ""


@pytest.mark.parametrize("data,message", [
    (b"PK\x03\x04" + b"\x14\x00" * 50, "Excel .xlsx"),
    (b"\xd0\xcf\x11\xe0" + b"\x00" * 50, "Excel .xls"),
    (b"RIFF\x24\x00\x00\x00WAVEfmt ", "WAV recording"),
    (bytes(range(256)) * 8, "binary file"),
    (b"\xef\xbb\xbfok\xff\xfe bad", "byte-order mark"),
])
def test_junk_gets_a_clear_error(tmp_path, data, message):
    path = tmp_path / "meta.csv"
    path.write_bytes(data)
    with pytest.raises(InputError, match=message) as info:
        read_text_file(path)
    assert str(path) in str(info.value)


def test_undecodable_text_says_how_to_fix(tmp_path):
    path = tmp_path / "meta.csv"
    # bytes valid in no encoding we accept without NUL: lone GB18030 lead bytes between ASCII
    path.write_bytes(b"file,agent\n" + b"a.wav,\x81\n" * 3 + b"\xff\xfe\xfd\x80\x81" * 3)
    with pytest.raises(InputError, match="UTF-8") as info:
        read_text_file(path)
    assert "CSV UTF-8" in str(info.value) and str(path) in str(info.value)


def test_file_problems_name_the_file(tmp_path):
    with pytest.raises(InputError, match="does not exist"):
        read_text_file(tmp_path / "missing.csv")
    with pytest.raises(InputError, match="is a folder"):
        read_text_file(tmp_path)
    big = tmp_path / "big.csv"
    big.write_bytes(b"file\n" + b"a.wav\n" * 1000)
    with pytest.raises(InputError, match="split it"):
        read_text_file(big, max_bytes=1000)


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads every file")
def test_unreadable_file(tmp_path):
    path = tmp_path / "locked.csv"
    path.write_text("file\n")
    path.chmod(0)
    with pytest.raises(InputError, match="permission denied"):
        read_text_file(path)


def test_decode_reports_the_encoding():
    assert decode_text(CSV_ZH.encode("gbk"))[1] == "gb18030"
    assert decode_text(CSV_ZH.encode("utf-8"))[1] == "utf-8"
    assert decode_text("王晓".encode("gbk")) == ("王晓", "gb18030")  # also valid Big5: GBK wins the tie


def test_gbk_metadata_csv_end_to_end(tmp_path):
    """The metadata reader (qa_pipeline.metadata) gets the right names from a GBK export."""
    metadata = pytest.importorskip("qa_pipeline.metadata")
    path = tmp_path / "calls.csv"
    path.write_bytes(CSV_ZH.encode("gbk"))
    table = metadata.read_metadata(path)
    assert table.by_file["call1.wav"]["agent_name"] == "王晓"
    assert table.by_call_id["c2"]["team"] == "售后二组"
