"""The protocol's version and the form of an app version: plain constants, without pydantic.

The operator app's early sign-in checks a server's `/info` with them before the models are imported
(`operator_app.net.early_signin`).
"""

PROTOCOL_VERSION = 1

# An app version as admins write it and the app compares it: dotted numbers, "1.4" or "1.4.2".
APP_VERSION_PATTERN = r"^[0-9]{1,6}(\.[0-9]{1,6}){0,3}$"
