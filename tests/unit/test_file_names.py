from __future__ import annotations

import re

import pytest

from api.assets.file_names import MAX_KEY_NAME, content_disposition, safe_file_name

SAFE = re.compile(r"^[A-Za-z0-9_-][A-Za-z0-9._-]*$")  # and so never "." or ".."


@pytest.mark.parametrize(
    ("name", "safe"),
    [
        ("report.pdf", "report.pdf"),
        ("Quarterly report (final).pdf", "Quarterly_report_final_.pdf"),
        ("../../etc/passwd", "passwd"),
        ("..\\..\\windows\\system32\\cmd.exe", "cmd.exe"),
        ("/absolute/path/", "file"),
        ("..", "file"),
        (".", "file"),
        (".hidden", "hidden"),
        ("...", "file"),
        ("résumé.pdf", "resume.pdf"),
        ("e\u0301te\u0301.txt", "ete.txt"),  # decomposed accents, normalized first
        ("bad\x00name\x1f\x7f.txt", "badname.txt"),
        ("line\nbreak\r.txt", "linebreak.txt"),
        ("rtl\u202eexe.txt", "rtlexe.txt"),
        ("数据.csv", "_.csv"),
        ("数据", "file"),
        ("", "file"),
        ("\x00\x01", "file"),
        ("a b\tc.txt", "a_bc.txt"),
        ("'; DROP TABLE assets;--.txt", "_DROP_TABLE_assets_--.txt"),
        ("<script>alert(1)</script>.html", "script_.html"),
    ],
)
def test_a_hostile_name_becomes_a_safe_basename(name, safe):
    assert safe_file_name(name) == safe


def test_a_1000_character_name_is_capped_and_keeps_its_extension():
    safe = safe_file_name("x" * 1000 + ".jpeg")
    assert len(safe) == MAX_KEY_NAME
    assert safe.endswith(".jpeg")
    assert SAFE.match(safe)


def test_every_safe_name_is_made_of_safe_characters_and_is_never_dot_or_dotdot():
    for name in [
        "..",
        ".",
        "./.",
        "a/../..",
        "\u2024\u2024",
        "\uff0e\uff0e",
        "%2e%2e",
        "~/.ssh/id_rsa",
    ]:
        safe = safe_file_name(name)
        assert SAFE.match(safe), (name, safe)
        assert safe not in {".", ".."}


def test_content_disposition_has_an_ascii_fallback_and_the_exact_name():
    assert content_disposition("../résumé 2.pdf") == (
        "attachment; filename=\"resume_2.pdf\"; filename*=UTF-8''r%C3%A9sum%C3%A9%202.pdf"
    )


def test_content_disposition_cannot_be_broken_by_quotes_or_newlines():
    header = content_disposition('a"b\r\nSet-Cookie: x=1;.txt')
    assert "\r" not in header
    assert "\n" not in header
    assert header.count('"') == 2


@pytest.mark.parametrize("name", ["..", ".", "...", "   ", "/..", "\u202e.."])
def test_a_name_without_a_letter_or_digit_never_reaches_filename_star(name):
    assert content_disposition(name) == "attachment; filename=\"file\"; filename*=UTF-8''file"
