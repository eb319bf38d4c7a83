# An aiosmtpd handler for tests (test/support/smtp-server.ts): every message
# the server accepts is parsed with Python's own e-mail package and written to
# a directory as one JSON file, before the server answers 250 — so a sender
# told "accepted" finds its message there. Written to a temporary name and
# renamed: a reader never sees half a file.
#   python3 -m aiosmtpd -n -l 127.0.0.1:PORT -c smtp_capture.CaptureHandler DIR
# (with this directory on PYTHONPATH)
import email
import email.policy
import json
import os
import time
import uuid


class CaptureHandler:
    def __init__(self, directory):
        self.directory = directory

    @classmethod
    def from_cli(cls, parser, *args):
        if len(args) != 1:
            parser.error("CaptureHandler takes one argument: the directory to write messages to")
        return cls(args[0])

    async def handle_DATA(self, server, session, envelope):
        raw = envelope.original_content or envelope.content
        message = email.message_from_bytes(raw, policy=email.policy.default)
        text = message.get_body(preferencelist=("plain",))
        html = message.get_body(preferencelist=("html",))
        record = {
            "mailFrom": envelope.mail_from,
            "rcptTos": list(envelope.rcpt_tos),
            "headers": [[name, str(value)] for name, value in message.items()],
            "text": text.get_content() if text is not None else None,
            "html": html.get_content() if html is not None else None,
            "raw": raw.decode("utf-8", "replace"),
        }
        name = "%d-%s.json" % (time.time_ns(), uuid.uuid4().hex)
        temporary = os.path.join(self.directory, "." + name)
        with open(temporary, "w", encoding="utf-8") as out:
            json.dump(record, out)
        os.replace(temporary, os.path.join(self.directory, name))
        return "250 Message accepted for delivery"
