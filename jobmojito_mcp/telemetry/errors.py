"""The one error telemetry raises, apart so that the OpenTelemetry half can raise it too."""


class TelemetryError(Exception):
    """Telemetry was asked for but cannot work (extra not installed, unsupported setting): says how to fix."""
