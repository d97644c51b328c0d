"""The reasons StudyFlow itself writes into the audit trail (an option's default, a sign-in, a
checkpoint). A stored reason is a fact: it is recorded as these English words and never
rewritten; wherever the trail is read (the study page, the CSV and Excel exports, the CLI) a
known one is shown in the reader's language (api.words.reason), and a person's own reason
as they typed it."""

from i18n import N_

# the defaults of the CLI's and the API's --reason / ?reason=
TOKEN_ISSUED = N_("token issued")
AUDIT_EXPORT = N_("audit export")
ACCOUNT_CREATED = N_("account created")
PASSWORD_RESET = N_("reset")
# written by the system itself
CHECKPOINT_ON_DEMAND = N_("checkpoint on demand")
DAILY_CHECKPOINT = N_("daily checkpoint")
CALENDAR_FEED = N_("calendar feed asked for")
DEMO_PERSON = N_("the demo's person")
SIGNED_IN_WITH_TOKEN = N_("signed in with a personal token")
LOCKED = N_("locked after repeated failed sign-ins")
SECOND_FACTOR_ENROLLED = N_("second factor enrolled")
PASSWORD_REPLACED = N_("one-time password replaced")
SIGNED_OUT = N_("signed out")
SIGNED_OUT_EVERYWHERE = N_("signed out everywhere")
REVOKED_BY_OWNER = N_("revoked by its owner")
NO_ROLE = N_("no StudyFlow role for this person")
FIRST_DIRECTORY_SIGN_IN = N_("first sign-in through the directory")
DISABLED_SIGN_IN = N_("sign-in failed: disabled")
DIRECTORY_ROLE = N_("role mapped from the directory's groups")

KNOWN = frozenset(value for name, value in dict(globals()).items() if name.isupper())
