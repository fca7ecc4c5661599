"""The one stand-in for the outside world: a mail server that can be "down".

`FlakyBackend` is Django's in-memory backend (messages land in `django.core.mail.outbox`) that
refuses like an unreachable SMTP server while `FlakyBackend.down` is set. Every attempt's
Message-ID is recorded, accepted or not.
"""

import smtplib
import threading
import time

from django.core.mail.backends import locmem

PATH = "alerts.tests.smtp.FlakyBackend"


class FlakyBackend(locmem.EmailBackend):
    down = False
    delay = 0.0  # seconds per message, to widen race windows
    attempts: list[str] = []
    _lock = threading.Lock()

    @classmethod
    def reset(cls) -> None:
        cls.down = False
        cls.delay = 0.0
        cls.attempts = []

    def send_messages(self, messages):
        with self._lock:
            type(self).attempts.extend(m.extra_headers.get("Message-ID", "") for m in messages)
        if self.delay:
            time.sleep(self.delay)
        if type(self).down:
            raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")
        with self._lock:
            return super().send_messages(messages)
