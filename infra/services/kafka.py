"""Apache Kafka, single-node KRaft (broker + controller), from the Maven Central jars."""

from __future__ import annotations

import base64
import subprocess
import uuid
from pathlib import Path

from infra import probes, runtimes
from infra.process import Service
from infra.services import cache_dir, java, log_path, state_dir
from infra.settings import Settings

POM = runtimes.INFRA_DIR / "kafka" / "pom.xml"
VERSION = runtimes.pom_version(POM, "kafka.version")
HEAP = ["-Xms128m", "-Xmx512m"]


def server_properties(settings: Settings, data: Path) -> str:
    host = settings.host
    return "\n".join(
        [
            "process.roles=broker,controller",
            "node.id=1",
            f"controller.quorum.voters=1@{host}:{settings.kafka_controller_port}",
            f"listeners=PLAINTEXT://{host}:{settings.kafka_port},"
            f"CONTROLLER://{host}:{settings.kafka_controller_port}",
            f"advertised.listeners=PLAINTEXT://{host}:{settings.kafka_port}",
            "controller.listener.names=CONTROLLER",
            "inter.broker.listener.name=PLAINTEXT",
            "listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT",
            f"log.dirs={data}",
            "num.partitions=1",
            "default.replication.factor=1",
            "offsets.topic.replication.factor=1",
            "offsets.topic.num.partitions=6",
            "transaction.state.log.replication.factor=1",
            "transaction.state.log.min.isr=1",
            "min.insync.replicas=1",
            "group.initial.rebalance.delay.ms=0",
            "log.segment.bytes=67108864",
            "",
        ]
    )


LOG4J = """\
log4j.rootLogger=INFO, stdout
log4j.appender.stdout=org.apache.log4j.ConsoleAppender
log4j.appender.stdout.layout=org.apache.log4j.PatternLayout
log4j.appender.stdout.layout.ConversionPattern=[%d] %p %m (%c)%n
log4j.logger.kafka=INFO
log4j.logger.org.apache.kafka=INFO
log4j.logger.state.change.logger=WARN
log4j.logger.kafka.request.logger=WARN
"""


def service(settings: Settings) -> Service:
    home = state_dir(settings, "kafka")
    jars = cache_dir(settings) / f"kafka-{VERSION}"
    config = home / "server.properties"
    data = home / "data"
    classpath = ["-cp", f"{jars}/*"]
    jvm = [java(), *HEAP, "-XX:+UseG1GC", "-XX:MaxGCPauseMillis=20",
           "-XX:+ExitOnOutOfMemoryError", "-Djava.awt.headless=true",
           f"-Dlog4j.configuration=file:{home / 'log4j.properties'}",
           f"-Dkafka.logs.dir={home / 'logs'}"]

    def prepare() -> None:
        runtimes.require("java")
        runtimes.maven_jars(POM, jars)
        home.mkdir(parents=True, exist_ok=True)
        config.write_text(server_properties(settings, data))
        (home / "log4j.properties").write_text(LOG4J)
        if not (data / "meta.properties").exists():
            cluster_id = _cluster_id(home)
            subprocess.run(
                [*jvm, *classpath, "kafka.tools.StorageTool", "format",
                 "-t", cluster_id, "-c", str(config), "--ignore-formatted"],
                check=True, stdout=subprocess.DEVNULL,
            )

    return Service(
        name="kafka",
        argv=[*jvm, *classpath, "kafka.Kafka", str(config)],
        probe=probes.kafka_metadata(settings),
        log=log_path(settings, "kafka"),
        ports={"KAFKA_PORT": settings.kafka_port,
               "KAFKA_CONTROLLER_PORT": settings.kafka_controller_port},
        prepare=prepare,
        marker=f"kafka.Kafka {config}",
        stop_timeout=30.0,
    )


def _cluster_id(home: Path) -> str:
    """The cluster id, made once per state folder (Kafka's base64url UUID form)."""
    path = home / "cluster.id"
    if not path.exists():
        raw = base64.urlsafe_b64encode(uuid.uuid4().bytes).decode().rstrip("=")
        path.write_text(raw + "\n")
    return path.read_text().strip()
