# A RIS for tests (test/support/ris-listener.ts): python3-hl7's asyncio MLLP
# server (hl7.mllp.start_hl7_server) — an implementation independent of ours —
# on 127.0.0.1:PORT. Every message it receives is parsed by python-hl7 and
# written to DIR as one JSON file (the raw text, and per segment its fields as
# sent and unescaped) before it answers, so a sender told "accepted" finds its
# message there. Written to a temporary name and renamed: a reader never sees
# half a file. The answer is read from DIR/answer at each message:
#   AA (default) | AE <text> | AR <text> | NONE (read it, answer nothing)
#   /usr/bin/python3 mllp_ris.py PORT DIR
import asyncio
import datetime
import json
import os
import sys
import time
import uuid

import hl7
import hl7.mllp

PORT = int(sys.argv[1])
DIRECTORY = sys.argv[2]
LIMIT = 64 * 1024 * 1024


def answer_mode():
    try:
        with open(os.path.join(DIRECTORY, "answer"), encoding="utf-8") as source:
            line = source.read().strip()
    except FileNotFoundError:
        return "AA", ""
    code, _, text = line.partition(" ")
    return code or "AA", text


def record(message, raw, answered):
    segments = []
    for segment in message:
        fields = [str(field) for field in segment]
        if fields[0] == "MSH":
            # python-hl7 counts MSH-1 (the field separator) as index 1, like the standard
            unescaped = fields[:3] + [message.unescape(value) for value in fields[3:]]
        else:
            unescaped = [message.unescape(value) for value in fields]
        segments.append({"fields": fields, "unescaped": unescaped})
    name = "%d-%s.json" % (time.time_ns(), uuid.uuid4().hex)
    temporary = os.path.join(DIRECTORY, "." + name)
    with open(temporary, "w", encoding="utf-8") as out:
        json.dump({"raw": raw, "segments": segments, "answered": answered}, out)
    os.replace(temporary, os.path.join(DIRECTORY, name))


def build_ack(message, code, text):
    ack = message.create_ack(code, application="RIS", facility="HOSPITAL")
    lines = str(ack).rstrip("\r").split("\r")
    if text:
        lines[1] = lines[1] + "|" + text
        lines.append("ERR|||207^Application internal error^HL70357|E||||" + text)
    return "\r".join(lines) + "\r"


async def on_connection(reader, writer):
    try:
        while not writer.is_closing():
            block = await reader.readblock()
            raw = block.decode("utf-8")
            message = hl7.parse(raw)
            code, text = answer_mode()
            record(message, raw, code)
            if code != "NONE":
                writer.writeblock(build_ack(message, code, text).encode("utf-8"))
                await writer.drain()
    except asyncio.IncompleteReadError:
        pass
    finally:
        writer.close()


async def main():
    server = await hl7.mllp.start_hl7_server(on_connection, "127.0.0.1", PORT, limit=LIMIT)
    print("listening", PORT, datetime.datetime.now().isoformat(), flush=True)
    async with server:
        await server.serve_forever()


asyncio.run(main())
