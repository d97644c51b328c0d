"""`studyflow config show`: the settings in effect, secrets hidden."""

import typer

from cli.common import DEFAULT_DIR, DataDir, show
from cli.servers import settings_for
from settings import Settings

app = typer.Typer(help="The effective configuration.", no_args_is_help=True)


def without_password(url: str | None) -> str | None:
    from urllib.parse import urlsplit, urlunsplit

    if not url:
        return url
    u = urlsplit(url)
    if u.password is None:
        return url
    netloc = f"{u.username}:****@{u.hostname}" + (f":{u.port}" if u.port else "")
    return urlunsplit((u.scheme, netloc, u.path, u.query, u.fragment))


@app.command("show")
def config_show(data_dir: DataDir = DEFAULT_DIR) -> None:
    """Print the settings in effect (environment, .env, defaults), secrets hidden."""
    from bootstrap import temporal_connect_config
    from codec import CodecKeyError, keys_for

    settings = settings_for(data_dir)
    shown = settings.model_dump(mode="json", by_alias=False)
    for name in ("database_url", "database_owner_url"):
        shown[name] = without_password(shown[name])
    shown = {str(Settings.model_fields[k].validation_alias or k): v for k, v in shown.items()}
    temporal = temporal_connect_config(settings)
    shown["temporal (envconfig)"] = {
        "address": temporal["target_host"], "namespace": temporal["namespace"],
        "tls": bool(temporal.get("tls")), "api_key": "****" if temporal.get("api_key") else None}
    try:
        shown["codec key ids"] = [kid for kid, _ in keys_for(settings)]
    except CodecKeyError as e:
        shown["codec key ids"] = f"ERROR: {e}"
    show(shown)
