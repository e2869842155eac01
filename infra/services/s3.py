"""S3 API: S3Proxy (Maven Central) with the jclouds filesystem backend."""

from __future__ import annotations

from infra import probes, runtimes
from infra.process import Service
from infra.services import cache_dir, java, log_path, state_dir
from infra.settings import Settings

POM = runtimes.INFRA_DIR / "s3proxy" / "pom.xml"
LOGBACK = runtimes.INFRA_DIR / "s3proxy" / "logback.xml"
VERSION = runtimes.pom_version(POM, "s3proxy.version")


def properties(settings: Settings, basedir: str) -> str:
    return "\n".join(
        [
            f"s3proxy.endpoint=http://{settings.host}:{settings.s3_port}",
            "s3proxy.authorization=aws-v2-or-v4",
            f"s3proxy.identity={settings.aws_access_key_id}",
            f"s3proxy.credential={settings.aws_secret_access_key}",
            "jclouds.provider=filesystem",
            f"jclouds.filesystem.basedir={basedir}",
            "",
        ]
    )


def service(settings: Settings) -> Service:
    home = state_dir(settings, "s3")
    jars = cache_dir(settings) / f"s3proxy-{VERSION}"
    config = home / "s3proxy.properties"

    def prepare() -> None:
        runtimes.require("java")
        runtimes.maven_jars(POM, jars)
        (home / "data").mkdir(parents=True, exist_ok=True)
        config.write_text(properties(settings, str(home / "data")))
        config.chmod(0o600)  # holds the secret key

    return Service(
        name="s3",
        argv=[java(), "-Xms32m", "-Xmx256m", "-XX:+UseSerialGC", "-XX:+ExitOnOutOfMemoryError",
              f"-Dlogback.configurationFile={LOGBACK}", "-cp", f"{jars}/*",
              "org.gaul.s3proxy.Main", "--properties", str(config)],
        probe=probes.s3_list_buckets(settings),
        log=log_path(settings, "s3"),
        ports={"S3_PORT": settings.s3_port},
        prepare=prepare,
        marker=f"--properties {config}",
    )
