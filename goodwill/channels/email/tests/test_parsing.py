"""The parser on the corpus of tricky messages, and on arbitrary bytes."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from goodwill.channels.email.parsing import Unparseable, new_text_of, parse_email


def test_it_decodes_rfc2047_headers_in_two_charsets(eml):
    parsed = parse_email(eml("rfc2047_latin1.eml"))
    assert parsed.from_name == "Jürgen Müller"
    assert parsed.subject == "Grüße aus München – Rechnung"
    assert "enthält" in parsed.text


def test_it_reads_raw_utf8_headers_and_a_body_that_lies_about_its_charset(eml):
    parsed = parse_email(eml("lying_charset.eml"))
    assert parsed.from_name == "Zoë Raw"
    assert parsed.subject == "Café menu – raw UTF-8 in headers"
    assert "crème brûlée" in parsed.text


def test_it_survives_an_unknown_charset(eml):
    parsed = parse_email(eml("unknown_charset.eml"))
    assert parsed.subject == "Hello there"
    assert parsed.text.startswith("Hello, this is plain text")


def test_it_unfolds_long_headers(eml):
    parsed = parse_email(eml("long_folded.eml"))
    assert "seventy-eight characters, with a tab" in parsed.subject
    assert parsed.from_name == "Folded, Frank"
    assert parsed.message_id == "folded-1@example.com"
    assert parsed.references == ["a@x", "b@x", "c@x"]


def test_it_turns_html_only_mail_into_text_and_drops_scripts(eml):
    parsed = parse_email(eml("html_only.eml"))
    assert "The invoice is wrong." in parsed.text
    assert "alert" not in parsed.text and "color:red" not in parsed.text
    assert "<script" in parsed.html  # raw here; the conversation service sanitises on save


def test_it_keeps_inline_cid_images_as_inline_attachments(eml):
    parsed = parse_email(eml("inline_image.eml"))
    [image] = parsed.attachments
    assert image.content_id == "shot@ines" and image.is_inline
    assert image.content.startswith(b"\x89PNG")
    assert 'src="cid:shot@ines"' in parsed.html


def test_it_decodes_rfc2231_file_names_and_keeps_calendar_invites(eml):
    parsed = parse_email(eml("attachment_rfc2231.eml"))
    names = {a.filename: a.content_type for a in parsed.attachments}
    assert names == {"Verträge übersicht.pdf": "application/pdf", "meeting.ics": "text/calendar"}
    assert parsed.text == "Please find the contract attached."


def test_it_keeps_what_it_can_of_broken_mime(eml):
    parsed = parse_email(eml("broken_mime.eml"))
    assert "This is not base64 at all" in parsed.text
    assert [a.filename for a in parsed.attachments] == ["half.bin"]


def test_it_keeps_a_forwarded_message_as_an_attachment(eml):
    parsed = parse_email(eml("forwarded.eml"))
    assert parsed.text.startswith("Forwarding my colleague")
    [forwarded] = parsed.attachments
    assert forwarded.content_type == "message/rfc822"
    assert b"I cannot log in" in forwarded.content


@pytest.mark.parametrize(("name", "reason"), [("no_from.eml", "no_from"), ("garbage.eml", "garbage")])
def test_it_refuses_mail_without_sender_or_headers_with_a_reason(eml, name, reason):
    with pytest.raises(Unparseable) as problem:
        parse_email(eml(name))
    assert problem.value.reason == reason


def test_it_refuses_oversized_mail(eml):
    with pytest.raises(Unparseable) as problem:
        parse_email(eml("plain.eml"), max_bytes=100)
    assert problem.value.reason == "oversized"


@pytest.mark.parametrize(
    ("name", "robot"),
    [
        ("auto_reply.eml", "auto_reply"),
        ("bulk_list.eml", "bulk"),
        ("bounce_dsn.eml", "bounce"),
        ("plain.eml", ""),
    ],
)
def test_it_recognises_robots(eml, name, robot):
    assert parse_email(eml(name)).robot == robot


def test_it_reads_delivery_status_reports(eml):
    bounce = parse_email(eml("bounce_dsn.eml", __ORIGINAL__="abc.gw-1-x@goodwill.test")).bounce
    assert bounce is not None
    assert bounce.recipients == ["dana@example.org"]
    assert "User unknown" in bounce.diagnostic
    assert bounce.original_message_id == "abc.gw-1-x@goodwill.test"


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("reply_gmail.eml", "It arrived this morning, thank you!"),
        ("reply_outlook.eml", "Danke, das Paket ist angekommen."),
        ("reply_apple.eml", "Merci, le colis est bien arrivé."),
    ],
)
def test_it_separates_new_text_from_quotes_and_signatures(eml, name, expected):
    parsed = parse_email(eml(name))
    assert parsed.new_text == expected
    assert "courier" in parsed.text


def test_new_text_of_a_message_that_is_all_quote_keeps_the_text():
    assert new_text_of("> only a quote") == "> only a quote"


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=3000))
def test_any_bytes_parse_or_are_refused_with_a_reason(data):
    try:
        parsed = parse_email(data)
    except Unparseable as problem:
        assert problem.reason in {"garbage", "no_from", "oversized"}
    else:
        assert "@" in parsed.from_address


_header_line = st.sampled_from(
    [
        b"From: a@b.c\r\n",
        b"From: =?utf-8?b?w6k=?= <x@y.z>\r\n",
        b"Subject: =?bogus?q?x?=\r\n",
        b"Content-Type: multipart/mixed; boundary=B\r\n",
        b"Content-Transfer-Encoding: base64\r\n",
        b"Content-Type: text/html; charset=x-none\r\n",
        b"Message-ID: <\xff@x>\r\n",
        b"\r\n",
        b"--B\r\n",
        b"Content-Disposition: attachment; filename*=utf-8''%ff%fe\r\n",
        b"References: <<<>>>\r\n",
    ]
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.one_of(_header_line, st.binary(max_size=40)), max_size=40))
def test_any_mime_shaped_bytes_parse_or_are_refused_with_a_reason(chunks):
    data = b"".join(chunks)
    try:
        parsed = parse_email(data)
    except Unparseable as problem:
        assert problem.reason in {"garbage", "no_from", "oversized"}
    else:
        assert isinstance(parsed.text, str) and isinstance(parsed.subject, str)


def _tnef(body: bytes, files: list[tuple[bytes, bytes]]) -> bytes:
    """A minimal winmail.dat: signature, key, then attributes (level, id, type, length, data, checksum)."""
    import struct

    def attribute(level: int, name: int, kind: int, data: bytes) -> bytes:
        return (
            struct.pack("<BHHI", level, name, kind, len(data)) + data + struct.pack("<H", sum(data) & 0xFFFF)
        )

    out = struct.pack("<IH", 0x223E9F78, 1)
    out += attribute(1, 0x800C, 0x0002, body)  # attBody
    for name, content in files:
        out += attribute(2, 0x9002, 0x0006, b"\x00" * 14)  # attAttachRendData starts an attachment
        out += attribute(2, 0x8010, 0x0001, name + b"\x00")  # attAttachTitle
        out += attribute(2, 0x800F, 0x0006, content)  # attAttachData
    return out


def test_it_unpacks_winmail_dat():
    import base64

    tnef = _tnef(b"Please see the report.", [(b"report.csv", b"a,b\n1,2\n")])
    data = (
        "From: Otto Outlook <otto@example.com>\r\nTo: support@goodwill.test\r\nSubject: Report\r\n"
        "Message-ID: <tnef-1@example.com>\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=T\r\n\r\n"
        "--T\r\nContent-Type: application/ms-tnef; name=winmail.dat\r\nContent-Transfer-Encoding: base64\r\n"
        "Content-Disposition: attachment; filename=winmail.dat\r\n\r\n"
        f"{base64.encodebytes(tnef).decode()}--T--\r\n"
    ).encode()
    parsed = parse_email(data)
    assert parsed.text == "Please see the report."
    assert [(a.filename, a.content) for a in parsed.attachments] == [("report.csv", b"a,b\n1,2\n")]


def test_a_winmail_dat_that_cannot_be_read_is_kept_as_it_is():
    data = (
        b"From: otto@example.com\r\nSubject: Broken\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=T"
        b"\r\n\r\n--T\r\nContent-Type: application/ms-tnef\r\nContent-Disposition: attachment; filename=winmail.dat"
        b"\r\n\r\nnot tnef at all\r\n--T--\r\n"
    )
    [kept] = parse_email(data).attachments
    assert kept.filename == "winmail.dat"
