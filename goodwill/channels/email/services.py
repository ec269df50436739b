"""The old import path of the email intake, kept for callers outside the channel.

The code lives in `goodwill.channels.email.intake`; import from there.
"""

from goodwill.channels.email.intake import *  # noqa: F403
from goodwill.channels.email.intake import __all__  # noqa: F401
