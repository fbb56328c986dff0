"""What the tests run against: Debian's real python3-nova (objects, a sqlite cell database, the filter
handler) and a real `migcompat serve` on 127.0.0.1 holding the inventories in tests/fleet."""

import glob
import json
import os
import secrets
import shutil
import socket
import subprocess
import tempfile
import time
import unittest
import urllib.error
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.abspath(os.path.join(HERE, "..", "..", ".."))
FLEET = os.path.join(HERE, "fleet")
IN_CI = os.environ.get("MIGCOMPAT_CI") == "1"

# The instances of tests/fleet/cmp-src.json.
VM_WITH_DEVICE = "6e0e2f1c-1111-4c5e-9a3b-0d1f2e3a4b5c"
VM_WITHOUT_DEVICE = "7f1f3a2d-2222-4d6f-8b4c-1e2f3a4b5c6d"
VM_UNKNOWN = "8a2b4c3e-3333-4e70-9c5d-2f3a4b5c6d7e"
CELL_UUID = "11111111-2222-4333-8444-555555555555"


def require_nova():
    """Imports Nova; without it the tests fail in CI (MIGCOMPAT_CI=1) and are skipped elsewhere."""
    try:
        import nova.objects  # noqa: F401
        from nova.scheduler import filters  # noqa: F401
    except ImportError as error:
        message = ("python3-nova is not installed (apt-get install -y python3-nova; run with /usr/bin/python3): %s"
                   % error)
        if IN_CI:
            raise RuntimeError(message)
        raise unittest.SkipTest(message)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def migcompat_command():
    """The built CLI: $MIGCOMPAT_CLI, else src/MigCompat.Cli's Debug build (built here when missing)."""
    given = os.environ.get("MIGCOMPAT_CLI")
    if given:
        return [given] if not given.endswith(".dll") else ["dotnet", given]
    pattern = os.path.join(REPO, "src", "MigCompat.Cli", "bin", "Debug", "net*", "migcompat")
    found = sorted(glob.glob(pattern))
    if not found:
        subprocess.run(["dotnet", "build", "-nologo", "-v", "q", os.path.join(REPO, "src", "MigCompat.Cli")],
                       check=True, stdout=subprocess.DEVNULL)
        found = sorted(glob.glob(pattern))
    if not found:
        raise RuntimeError("no built migcompat under " + pattern)
    return [found[-1]]


class MigCompatServer:
    """`migcompat serve` on 127.0.0.1 with its own database and tokens, stopped by stop()."""

    def __init__(self):
        self.directory = tempfile.mkdtemp(prefix="migcompat-nova-")
        self.admin_token = secrets.token_hex(16)
        self.read_token = secrets.token_hex(16)
        self.url = "http://127.0.0.1:%d" % free_port()
        env = dict(os.environ, MIGCOMPAT_ADMIN_TOKEN=self.admin_token, MIGCOMPAT_READ_TOKEN=self.read_token)
        self._log = open(os.path.join(self.directory, "serve.log"), "wb")
        self._process = subprocess.Popen(
            migcompat_command() + ["serve", "--db", os.path.join(self.directory, "fleet.db"), "--urls", self.url],
            env=env, stdout=self._log, stderr=subprocess.STDOUT)
        self._wait_ready()

    def _wait_ready(self):
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                raise RuntimeError("migcompat serve exited: " + self.log())
            try:
                with urllib.request.urlopen(self.url + "/healthz", timeout=2) as response:
                    if response.status == 200:
                        return
            except (urllib.error.URLError, OSError):
                pass
            time.sleep(0.2)
        raise RuntimeError("migcompat serve did not get ready: " + self.log())

    def log(self):
        with open(os.path.join(self.directory, "serve.log"), "rb") as f:
            return f.read().decode("utf-8", "replace")[-2000:]

    def put_fleet(self):
        """PUT every inventory of tests/fleet through the API."""
        for path in sorted(glob.glob(os.path.join(FLEET, "*.json"))):
            with open(path, "rb") as f:
                body = f.read()
            host = json.loads(body)["host"]
            request = urllib.request.Request(self.url + "/v1/hosts/" + host, data=body, method="PUT")
            request.add_header("Authorization", "Bearer " + self.admin_token)
            request.add_header("If-Match", "*")
            with urllib.request.urlopen(request, timeout=30) as response:
                assert response.status in (200, 201), response.status

    def set_drained(self, host, drained):
        """POST /v1/hosts/{host}/drain or /undrain."""
        request = urllib.request.Request(
            "%s/v1/hosts/%s/%s" % (self.url, host, "drain" if drained else "undrain"), data=b"", method="POST")
        request.add_header("Authorization", "Bearer " + self.admin_token)
        with urllib.request.urlopen(request, timeout=30) as response:
            assert response.status == 200, response.status

    def requests_served(self, method, route):
        """migcompat_http_requests_total for one method and route, summed over statuses."""
        request = urllib.request.Request(self.url + "/metrics")
        request.add_header("Authorization", "Bearer " + self.read_token)
        with urllib.request.urlopen(request, timeout=10) as response:
            text = response.read().decode("utf-8")
        total = 0
        for line in text.splitlines():
            if (line.startswith("migcompat_http_requests_total{") and 'method="%s"' % method in line
                    and 'route="%s"' % route in line):
                total += int(float(line.rsplit(" ", 1)[1]))
        return total

    def stop(self):
        self._process.terminate()
        try:
            self._process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()
        self._log.close()
        shutil.rmtree(self.directory, ignore_errors=True)


class NovaCell:
    """A real Nova cell database (sqlite, Nova's own schema) holding the instances the tests move."""

    def __init__(self):
        from nova import context, objects
        import nova.conf
        from nova.db import migration

        self.directory = tempfile.mkdtemp(prefix="nova-cell-")
        connection = "sqlite:///" + os.path.join(self.directory, "cell1.db")
        conf = nova.conf.CONF
        conf([], project="nova", default_config_files=[])
        conf.set_override("connection", connection, group="database")
        migration.db_sync(database="main")
        self.context = context.get_admin_context()
        self.cell = objects.CellMapping(self.context, uuid=CELL_UUID, name="cell1",
                                        database_connection=connection, transport_url="none:///")

    def put_instance(self, instance_uuid, host, task_state):
        """Creates the instance, or sets its host and task state."""
        from nova import context, exception, objects
        with context.target_cell(self.context, self.cell) as cell_context:
            try:
                instance = objects.Instance.get_by_uuid(cell_context, instance_uuid, expected_attrs=[])
            except exception.InstanceNotFound:
                instance = objects.Instance(cell_context, uuid=instance_uuid, project_id="p", user_id="u")
                instance.host = host
                instance.task_state = task_state
                instance.create()
                return
            instance.host = host
            instance.task_state = task_state
            instance.save()

    def close(self):
        shutil.rmtree(self.directory, ignore_errors=True)
