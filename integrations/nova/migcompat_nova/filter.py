"""``MigCompatFilter``: live migrations go only where MigCompat says the devices can follow live.

Enable it in nova.conf (docs/integrations-nova.md)::

    [filter_scheduler]
    available_filters = nova.scheduler.filters.all_filters
    available_filters = migcompat_nova.filter.MigCompatFilter
    enabled_filters = ...,MigCompatFilter
"""

import collections
import threading
import time

import nova.conf
from nova.scheduler import filters
from oslo_log import log as logging

from migcompat_nova import client as mc_client
from migcompat_nova import conf as mc_conf
from migcompat_nova import request as mc_request

LOG = logging.getLogger(__name__)
CONF = nova.conf.CONF
mc_conf.register_opts(CONF)

# How long one request's answer is reused: the scheduler asks every host of one request within
# moments; a retry of the same migration (a new ignore_hosts list) is another request.
_ANSWER_SECONDS = 60.0
_ANSWERS_KEPT = 64


class Decision:
    """The hosts that pass for one request: all of them (``allowed`` None) or the MigCompat names listed."""

    def __init__(self, allowed, why):
        self.allowed = allowed
        self.why = why

    @classmethod
    def everyone(cls, why):
        return cls(None, why)

    @classmethod
    def nobody(cls, why):
        return cls(frozenset(), why)

    def passes(self, migcompat_host):
        return self.allowed is None or migcompat_host in self.allowed


class MigCompatFilter(filters.BaseHostFilter):
    """Passes every host, except in a live migration of an instance with VFIO devices: then only the
    hosts MigCompat says can take all of them live."""

    # A rebuild is not a move (BaseHostFilter then passes every host without asking).
    RUN_ON_REBUILD = False

    def __init__(self):
        super().__init__()
        self._answers = collections.OrderedDict()
        self._lock = threading.Lock()

    def host_passes(self, host_state, spec_obj):
        decision = self.decision(spec_obj)
        if decision.allowed is None:
            return True
        name = self.migcompat_name(self._nova_name(host_state))
        passes = decision.passes(name)
        if not passes:
            LOG.debug("MigCompatFilter: %s (MigCompat host %s) does not pass: %s",
                      self._nova_name(host_state), name, decision.why)
        return passes

    def decision(self, spec_obj):
        """The answer for one request, computed once and reused for each of its hosts."""
        ignore_hosts = mc_request.field(spec_obj, "ignore_hosts") or ()
        key = (id(spec_obj), mc_request.field(spec_obj, "instance_uuid"), tuple(ignore_hosts))
        now = time.monotonic()
        with self._lock:
            cached = self._answers.get(key)
            if cached is not None and now - cached[0] < _ANSWER_SECONDS:
                return cached[1]
        decision = self._decide(spec_obj)
        with self._lock:
            self._answers[key] = (now, decision)
            while len(self._answers) > _ANSWERS_KEPT:
                self._answers.popitem(last=False)
        return decision

    @staticmethod
    def migcompat_name(nova_name):
        """MigCompat's name of a host Nova calls ``nova_name`` ([migcompat] host_map, else the same)."""
        return CONF.migcompat.host_map.get(nova_name, nova_name)

    @staticmethod
    def _nova_name(host_state):
        return host_state.nodename if CONF.migcompat.host_attribute == "nodename" else host_state.host

    def _decide(self, spec_obj):
        instance_uuid = mc_request.field(spec_obj, "instance_uuid")
        move = mc_request.classify(spec_obj)
        if move.kind in (mc_request.NOT_A_MOVE, mc_request.OTHER_MOVE):
            return Decision.everyone("not a live migration: " + move.why)
        if move.kind == mc_request.UNKNOWN_MOVE:
            # A move of unknown kind may be a live migration: it is checked like one.
            LOG.warning("MigCompatFilter: instance %s is moving from %s but whether live is unknown (%s); "
                        "checking it as a live migration", instance_uuid, move.source_host, move.why)
        source = self.migcompat_name(move.source_host)
        try:
            settings = CONF.migcompat
            client = mc_client.MigCompatClient(settings.url, settings.token, settings.timeout)
            answer = client.live_targets(source, instance_uuid)
        except mc_client.MigCompatUnavailable as error:
            return self._without_answer(spec_obj, CONF.migcompat.on_unavailable,
                                        "MigCompat could not answer: %s" % error, "on_unavailable")
        if not answer.known:
            return self._without_answer(
                spec_obj, CONF.migcompat.on_unknown_instance,
                "MigCompat does not know instance %s on host %s" % (instance_uuid, source),
                "on_unknown_instance")
        if not answer.device_ids:
            # Nova asking for devices that MigCompat does not list is missing information, not "none".
            return self._without_answer(
                spec_obj, CONF.migcompat.on_unknown_instance,
                "MigCompat lists no device of instance %s on host %s" % (instance_uuid, source),
                "on_unknown_instance")
        if answer.truncated:
            LOG.warning("MigCompatFilter: instance %s: MigCompat listed its first %d live targets; hosts "
                        "past them do not pass", instance_uuid, mc_client.MAX_CANDIDATES)
        why = "instance %s's devices %s can move live only to %s" % (
            instance_uuid, ", ".join(answer.device_ids), ", ".join(sorted(answer.hosts)) or "no host")
        LOG.info("MigCompatFilter: %s", why)
        return Decision(answer.hosts, why)

    @staticmethod
    def _without_answer(spec_obj, policy, why, option):
        if not mc_request.asks_for_devices(spec_obj, CONF.migcompat.device_resource_classes):
            LOG.debug("MigCompatFilter: %s; the request asks for no device, so every host passes", why)
            return Decision.everyone(why + "; the request asks for no device, so every host passes")
        if policy == mc_conf.PASS:
            LOG.warning("MigCompatFilter: %s; every host passes ([migcompat] %s = pass)", why, option)
            return Decision.everyone(why)
        LOG.warning("MigCompatFilter: %s; no host passes, the live migration will find no valid host "
                    "([migcompat] %s = reject)", why, option)
        return Decision.nobody(why)
