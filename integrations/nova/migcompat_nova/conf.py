"""The ``[migcompat]`` options of nova.conf."""

from oslo_config import cfg

GROUP = cfg.OptGroup(
    "migcompat",
    title="MigCompat",
    help="Where the MigCompat fleet service is, and what the MigCompatFilter does when it cannot answer.")

REJECT = "reject"
PASS = "pass"

OPTS = [
    cfg.URIOpt(
        "url",
        schemes=["http", "https"],
        help="Base URL of the MigCompat fleet service, e.g. http://migcompat.example:8080. Unset: "
             "MigCompat counts as unreachable (see on_unavailable)."),
    cfg.StrOpt(
        "token",
        secret=True,
        help="Bearer token for MigCompat: its read or scheduler token (GET /v1/hosts/{name}, "
             "POST /v1/migrations/targets)."),
    cfg.FloatOpt(
        "timeout",
        default=10.0,
        min=0.1,
        help="Seconds to wait for each MigCompat answer. At most two requests are made per "
             "scheduling request."),
    cfg.StrOpt(
        "on_unavailable",
        default=REJECT,
        choices=[
            (REJECT, "no host passes: the live migration fails with NoValidHost and the instance "
                     "stays where it is"),
            (PASS, "every host passes, as if the filter were not enabled"),
        ],
        help="What to do in a live migration of an instance whose request asks for devices when "
             "MigCompat cannot answer (unreachable, timeout, an error status, not ready, a refused "
             "token). Instances whose request asks for no device always pass then."),
    cfg.StrOpt(
        "on_unknown_instance",
        default=REJECT,
        choices=[
            (REJECT, "no host passes"),
            (PASS, "every host passes"),
        ],
        help="What to do in a live migration of an instance whose request asks for devices when "
             "MigCompat does not know the instance on its host (the source host is not in the fleet, "
             "or its inventory lists no guest with the instance's UUID). Instances whose request asks "
             "for no device always pass then."),
    cfg.StrOpt(
        "host_attribute",
        default="host",
        choices=[
            ("host", "Nova's compute service host name (HostState.host, CONF.host of nova-compute)"),
            ("nodename", "the hypervisor node name (HostState.nodename)"),
        ],
        help="Which of Nova's names of a candidate host is MigCompat's host name (before host_map)."),
    cfg.DictOpt(
        "host_map",
        default={},
        help="Nova host name to MigCompat host name, where they differ, e.g. "
             "cmp-01:cmp-01.example.org,cmp-02:cmp-02.example.org. Used for candidates and for the "
             "source host. Names not listed are used as they are."),
    cfg.ListOpt(
        "device_resource_classes",
        default=["VGPU", "PGPU", "CUSTOM_*"],
        help="Placement resource classes that mean an assigned device when a flavor requests them "
             "(resources[N]:CLASS=amount); a trailing * matches a prefix. Used only to decide "
             "whether an instance MigCompat cannot speak for asks for devices."),
]


def register_opts(conf):
    """Registers the [migcompat] group and its options on ``conf`` (nova.conf.CONF in Nova)."""
    conf.register_group(GROUP)
    conf.register_opts(OPTS, group=GROUP)


def list_opts():
    """The options, for oslo-config-generator (entry point ``oslo.config.opts``)."""
    return [(GROUP, OPTS)]
