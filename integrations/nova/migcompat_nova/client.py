"""MigCompat's HTTP API, as much of it as the filter needs (stdlib only: urllib, json).

The one question the filter asks is ``live_targets``: which hosts can take this instance's devices
live. It is answered with two calls today (the source host's inventory, to find the instance's
devices; then the target search); when the API takes ``"vm"`` in ``POST /v1/migrations/targets``, only
``live_targets`` changes.
"""

import json
import socket
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass

# The API's upper bound for "limit" (docs/api.md, "Limits"): hosts past it are not offered, so they do
# not pass the filter; never a false "live", at worst a host too few.
MAX_CANDIDATES = 100


class MigCompatUnavailable(Exception):
    """MigCompat did not answer the question: unreachable, a timeout, an error status, not ready."""


@dataclass(frozen=True)
class LiveTargets:
    """MigCompat's answer for one instance.

    ``known`` is False when MigCompat does not know the instance on its source host (then the other
    fields are empty). ``device_ids`` are the instance's devices on the source host; ``hosts`` the
    MigCompat names of the hosts that can take all of them live.
    """

    known: bool
    device_ids: tuple = ()
    hosts: frozenset = frozenset()
    truncated: bool = False


UNKNOWN = LiveTargets(known=False)


class MigCompatClient:
    """A small client of MigCompat's ``/v1`` API."""

    def __init__(self, url, token=None, timeout=10.0):
        if not url:
            raise MigCompatUnavailable("no MigCompat URL is configured ([migcompat] url)")
        self._base = url.rstrip("/")
        self._token = token
        self._timeout = timeout

    def live_targets(self, source_host, instance_uuid):
        """Which hosts can take the devices of ``instance_uuid``, now on ``source_host``, live."""
        host = self.get_host(source_host)
        if host is None:
            return UNKNOWN
        if not isinstance(host, dict) or not isinstance(host.get("inventory"), dict):
            raise MigCompatUnavailable("GET /v1/hosts/%s answered without an inventory" % source_host)
        guest = find_guest(host["inventory"], instance_uuid)
        if guest is None:
            return UNKNOWN
        device_ids = tuple(d for d in guest.get("devices") or () if isinstance(d, str))
        if not device_ids:
            return LiveTargets(known=True)
        answer = self.find_targets({
            "sourceHost": source_host,
            "devices": [{"id": device_id} for device_id in device_ids],
            "includeCold": False,
            "limit": MAX_CANDIDATES,
            "maxRejected": 0,
        })
        candidates = answer.get("candidates") if isinstance(answer, dict) else None
        if not isinstance(candidates, list):
            raise MigCompatUnavailable("the target search answered without a 'candidates' list")
        # includeCold=false asks for live targets only; each one is checked again all the same.
        hosts = frozenset(c["host"] for c in candidates
                          if isinstance(c, dict) and c.get("level") == "live" and isinstance(c.get("host"), str))
        return LiveTargets(known=True, device_ids=device_ids, hosts=hosts,
                           truncated=len(candidates) >= MAX_CANDIDATES)

    def get_host(self, name):
        """``GET /v1/hosts/{name}``: the stored host with its inventory, or None when not stored."""
        return self._request("GET", "/v1/hosts/" + urllib.parse.quote(name, safe=""), missing_ok=True)

    def find_targets(self, query):
        """``POST /v1/migrations/targets``."""
        return self._request("POST", "/v1/migrations/targets", body=query)

    def _request(self, method, path, body=None, missing_ok=False):
        data = None if body is None else json.dumps(body).encode("utf-8")
        request = urllib.request.Request(self._base + path, data=data, method=method)
        request.add_header("Accept", "application/json")
        if data is not None:
            request.add_header("Content-Type", "application/json")
        if self._token:
            request.add_header("Authorization", "Bearer " + self._token)
        what = "%s %s" % (method, self._base + path)
        try:
            with urllib.request.urlopen(request, timeout=self._timeout) as response:
                payload = response.read()
        except urllib.error.HTTPError as error:
            if error.code == 404 and missing_ok:
                return None
            raise MigCompatUnavailable("%s answered %d: %s" % (what, error.code, _problem_detail(error)))
        except (urllib.error.URLError, socket.timeout, OSError) as error:
            reason = getattr(error, "reason", error)
            raise MigCompatUnavailable("%s failed: %s" % (what, reason))
        try:
            return json.loads(payload.decode("utf-8"))
        except ValueError as error:
            raise MigCompatUnavailable("%s answered with something that is not JSON: %s" % (what, error))


def find_guest(inventory, instance_uuid):
    """The guest of an inventory document whose ``uuid`` is the instance's (any case), or None."""
    wanted = str(instance_uuid).lower()
    for guest in inventory.get("guests") or ():
        if isinstance(guest, dict) and str(guest.get("uuid") or "").lower() == wanted:
            return guest
    return None


def _problem_detail(error):
    try:
        problem = json.loads(error.read().decode("utf-8"))
        return problem.get("detail") or problem.get("title") or error.reason
    except Exception:  # an error page that is not problem+json: the status line says enough
        return error.reason
