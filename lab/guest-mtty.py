#!/usr/bin/env python3
"""The part of lab/run-mtty that runs inside the lab guest.

Runs in a chroot into the host's root (shared read-only over virtio-9p), so the host's QEMU, dotnet and
the migcompat build made by run-mtty are usable; /tmp, /run, /proc, /sys and /dev are the guest's own.
For each round it creates fresh mtty mdevs (a source and a target per migration: an mdev left in the
RESUMING state by a failed incoming migration crashes the guest kernel on its next open), scans the
guest's sysfs with `migcompat scan`, checks that scan against what the kernel shows, asks
`migcompat check` for each pair's verdict, and migrates a nested QEMU (TCG) holding the source mdev to
one holding the target mdev over QMP, on a unix socket.

Results go to /dev/ttyS1 (the host reads that port's file), one line each:
  SCAN ok | SCAN FAIL <what>
  MIGRATION <src type> -> <dst type>: migration=completed|failed verdict=live|cold|none|error
  DONE
Progress and diagnostics go to stdout (the guest console). Standard library only.
"""

import json
import os
import signal
import socket
import subprocess
import sys
import time
import uuid

PARENT = "mtty"
TYPES = ["mtty-1", "mtty-2"]
TYPES_DIR = f"/sys/class/mdev_bus/{PARENT}/mdev_supported_types"
MIGRATION_TIMEOUT = 240  # seconds for one migration under nested TCG (a few seconds when it works)
QEMU = "qemu-system-x86_64"

run_dir = "/tmp/lab"
work = None
cli = None
results = None
started = time.monotonic()


def say(text):
    print(f"guest [{time.monotonic() - started:6.1f}s] {text}", flush=True)


def report(line):
    if results is not None:
        results.write(line + "\n")
        results.flush()
    say("RESULT " + line)


def read(path):
    with open(path) as f:
        return f.read().strip()


def write(path, text):
    with open(path, "w") as f:
        f.write(text)


def create_mdev(type_id):
    # A new uuid every time: mdevs are never reused between migrations.
    u = str(uuid.uuid4())
    write(f"{TYPES_DIR}/{type_id}/create", u)
    return u


def remove_mdev(u):
    try:
        write(f"/sys/bus/mdev/devices/{u}/remove", "1")
    except OSError as e:
        say(f"could not remove mdev {u}: {e}")


def kernel_log_since(mark):
    """Kernel messages after the given dmesg line count (mtty's dev_dbg reasons, oopses)."""
    lines = subprocess.run(["dmesg"], capture_output=True, text=True).stdout.splitlines()
    return len(lines), lines[mark:]


# --- QMP -----------------------------------------------------------------------------------------------

class QmpError(Exception):
    pass


class Qmp:
    """A minimal QMP client on a unix socket: one command at a time, events kept aside."""

    def __init__(self, path, process, timeout=60):
        deadline = time.monotonic() + timeout
        self.sock = None
        while True:
            if process.poll() is not None:
                raise QmpError(f"QEMU exited ({process.returncode}) before its QMP socket answered")
            try:
                s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                s.connect(path)
                self.sock = s
                break
            except OSError:
                s.close()
                if time.monotonic() > deadline:
                    raise QmpError(f"no QMP socket at {path} after {timeout}s")
                time.sleep(0.2)
        self.sock.settimeout(timeout)
        self.file = self.sock.makefile("rwb")
        self.events = []
        self._read()  # greeting
        self.command("qmp_capabilities")

    def _read(self):
        line = self.file.readline()
        if not line:
            raise QmpError("QMP connection closed")
        return json.loads(line)

    def command(self, name, **arguments):
        message = {"execute": name}
        if arguments:
            message["arguments"] = arguments
        self.file.write(json.dumps(message).encode() + b"\n")
        self.file.flush()
        while True:
            reply = self._read()
            if "event" in reply:
                self.events.append(reply)
                continue
            if "error" in reply:
                raise QmpError(f"{name}: {reply['error'].get('desc')}")
            return reply.get("return")

    def close(self):
        try:
            self.file.close()
            self.sock.close()
        except OSError:
            pass


def device_args(mdev):
    return ["-device", f"vfio-pci,sysfsdev=/sys/bus/mdev/devices/{mdev},id=mtty0"]


def start_qemu(name, mdev, incoming=None):
    qmp_path = f"{run_dir}/{name}.qmp"
    log_path = f"{run_dir}/{name}.log"
    if os.path.exists(qmp_path):
        os.unlink(qmp_path)
    # No firmware payload to boot: SeaBIOS keeps the vCPU running, which is all a live migration
    # needs; the mdev's state (mtty's registers and FIFOs) is what moves.
    args = [QEMU, "-nodefaults", "-no-user-config", "-display", "none", "-machine", "pc",
            "-accel", "tcg,tb-size=32", "-cpu", "qemu64", "-m", "64", "-smp", "1",
            *device_args(mdev),
            "-qmp", f"unix:{qmp_path},server=on,wait=off"]
    if incoming:
        args += ["-incoming", incoming]
    log = open(log_path, "w")
    process = subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    return process, qmp_path, log_path


def stop_qemu(process, qmp):
    if qmp is not None and process.poll() is None:
        try:
            qmp.command("quit")
        except (QmpError, OSError, ValueError):
            pass
    if qmp is not None:
        qmp.close()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def migrate(index, src_mdev, dst_mdev):
    """Migrates a QEMU holding src_mdev into one holding dst_mdev; returns (completed, details)."""
    sock = f"{run_dir}/migration-{index}.sock"
    details = []
    src = dst = src_qmp = dst_qmp = None
    completed = False
    try:
        dst, dst_qmp_path, dst_log = start_qemu(f"dst-{index}", dst_mdev, incoming=f"unix:{sock}")
        src, src_qmp_path, src_log = start_qemu(f"src-{index}", src_mdev)
        dst_qmp = Qmp(dst_qmp_path, dst)
        src_qmp = Qmp(src_qmp_path, src)
        src_qmp.command("migrate-set-capabilities",
                        capabilities=[{"capability": "events", "state": True}])
        src_qmp.command("migrate", uri=f"unix:{sock}")
        deadline = time.monotonic() + MIGRATION_TIMEOUT
        status = None
        while time.monotonic() < deadline:
            info = src_qmp.command("query-migrate")
            status = info.get("status")
            if status in ("completed", "failed", "cancelled"):
                if info.get("error-desc"):
                    details.append(f"source: {info['error-desc']}")
                break
            time.sleep(0.5)
        details.append(f"source status: {status}")
        # The target is the judge: the driver refuses a stream only when loading it, after the source
        # may already have sent everything. It must be alive and running the VM.
        dst_running = False
        dst_deadline = time.monotonic() + 60
        while status == "completed" and time.monotonic() < dst_deadline:
            if dst.poll() is not None:
                break
            try:
                if dst_qmp.command("query-status").get("status") == "running":
                    dst_running = True
                    break
            except (QmpError, OSError, ValueError):
                break
            time.sleep(0.5)
        if dst.poll() is not None:
            details.append(f"target exited with {dst.returncode}")
        details.append(f"target running: {dst_running}")
        completed = status == "completed" and dst_running
    except (QmpError, OSError, ValueError) as e:
        details.append(f"error: {e}")
    finally:
        for process, qmp in ((src, src_qmp), (dst, dst_qmp)):
            if process is not None:
                stop_qemu(process, qmp)
    for name in (f"src-{index}", f"dst-{index}"):
        path = f"{run_dir}/{name}.log"
        if os.path.exists(path):
            for line in open(path, errors="replace").read().splitlines()[-6:]:
                details.append(f"{name}: {line}")
    return completed, details


# --- MigCompat ------------------------------------------------------------------------------------------

def scan(inventory_path):
    say("migcompat scan --format json")
    proc = subprocess.run(cli + ["scan", "--format", "json"], capture_output=True, text=True)
    if proc.stderr.strip():
        say("scan stderr: " + proc.stderr.strip())
    if proc.returncode != 0:
        raise RuntimeError(f"migcompat scan exited with {proc.returncode}")
    write(inventory_path, proc.stdout)
    return json.loads(proc.stdout)


def verdict(inventory_path, src_mdev, dst_mdev):
    proc = subprocess.run(cli + ["check", f"{inventory_path}#{src_mdev}", f"{inventory_path}#{dst_mdev}",
                                 "--format", "json"], capture_output=True, text=True)
    try:
        answer = json.loads(proc.stdout)
        level = answer["level"]
        say(f"check {src_mdev} -> {dst_mdev}: {level} " +
            "; ".join(r.get("message", "") for r in answer.get("reasons", [])))
        return level
    except (ValueError, KeyError):
        say(f"check exited with {proc.returncode}: {proc.stdout.strip()} {proc.stderr.strip()}")
        return "error"


def check_scan(inventory, mdevs):
    """What the scan says against what the kernel shows; returns the disagreements."""
    problems = []
    if inventory.get("warnings"):
        for w in inventory["warnings"]:
            problems.append(f"warning {w.get('code')} {w.get('path')}: {w.get('message')}")
    module_version = read(f"/sys/module/{PARENT}/version") if os.path.exists(f"/sys/module/{PARENT}/version") else None
    types = {t["type_id"]: t for t in inventory.get("creatable_types", []) if t.get("parent") == PARENT}
    for type_id in TYPES:
        t = types.get(type_id)
        if t is None:
            problems.append(f"creatable type {type_id} of parent {PARENT} missing")
            continue
        directory = f"{TYPES_DIR}/{type_id}"
        expected = {
            "available_instances": int(read(f"{directory}/available_instances")),
            "existing_instances": len(os.listdir(f"{directory}/devices")),
            "device_api": read(f"{directory}/device_api"),
            "name": read(f"{directory}/name"),
            "driver": PARENT,
            "driver_version": module_version,
        }
        for key, value in expected.items():
            if t.get(key) != value:
                problems.append(f"{type_id}: {key} is {t.get(key)!r}, the kernel shows {value!r}")
        if expected["available_instances"] <= 0:
            problems.append(f"{type_id}: no available instances left")
    devices = {d["id"]: d for d in inventory.get("devices", [])}
    for u, type_id in mdevs.items():
        d = devices.get(u)
        if d is None:
            problems.append(f"mdev {u} ({type_id}) missing")
            continue
        group = os.path.basename(os.readlink(f"/sys/bus/mdev/devices/{u}/iommu_group"))
        expected = {"kind": "mdev", "mdev_type": type_id, "parent": PARENT, "device_api": "vfio-pci",
                    "driver": os.path.basename(os.readlink(f"/sys/bus/mdev/devices/{u}/driver")),
                    "driver_version": module_version, "iommu_group": int(group), "in_use": False}
        for key, value in expected.items():
            if d.get(key) != value:
                problems.append(f"mdev {u}: {key} is {d.get(key)!r}, the kernel shows {value!r}")
        # With CONFIG_VFIO_DEBUGFS the kernel lists each VFIO device and gives it a migration/
        # directory only when its driver can migrate; the scan must say the same.
        debugfs = f"/sys/kernel/debug/vfio/{u}"
        if os.path.isdir(debugfs):
            capable = "yes" if os.path.isdir(f"{debugfs}/migration") else "no"
            if d.get("self", {}).get("migration.capable") != capable:
                problems.append(f"mdev {u}: migration.capable is {d.get('self', {}).get('migration.capable')!r}, "
                                f"debugfs shows {capable!r}")
        else:
            say(f"no {debugfs}: the kernel's word on migration capability is not checked")
    return problems


# --- the run ---------------------------------------------------------------------------------------------

def main():
    global work, cli, results
    work = sys.argv[1]
    rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 1
    os.makedirs(run_dir, exist_ok=True)
    cli = ["dotnet", os.path.join(work, "cli", "migcompat.dll")]
    # O_NONBLOCK for the open only: a serial port without carrier would block it.
    fd = os.open("/dev/ttyS1", os.O_WRONLY | os.O_NOCTTY | os.O_NONBLOCK)
    os.set_blocking(fd, True)
    results = os.fdopen(fd, "w", buffering=1)
    try:
        # mtty explains a refused stream only through dev_dbg.
        write("/sys/kernel/debug/dynamic_debug/control", f"module {PARENT} +p")
    except OSError as e:
        say(f"dynamic debug for {PARENT} not enabled: {e}")
    pairs = [(s, d) for s in TYPES for d in TYPES]
    index = 0
    for round_number in range(1, rounds + 1):
        # One fresh source and target per migration, all created before the scan so that the scan and
        # the verdicts see them.
        planned = []
        mdevs = {}
        for s, d in pairs:
            src, dst = create_mdev(s), create_mdev(d)
            mdevs[src], mdevs[dst] = s, d
            planned.append((s, d, src, dst))
        say(f"round {round_number}: created " + ", ".join(f"{u} ({t})" for u, t in mdevs.items()))
        if round_number == 1:
            # The real layout, for comparing test fixtures with it (docs/lab.md).
            first = next(iter(mdevs))
            for path in (f"/sys/devices/virtual/{PARENT}/{PARENT}", f"{TYPES_DIR}/{TYPES[0]}",
                         f"/sys/bus/mdev/devices/{first}/"):
                listing = subprocess.run(["ls", "-la", path], capture_output=True, text=True).stdout
                say(f"layout of {path}:\n{listing.rstrip()}")
        inventory_path = f"{run_dir}/inventory-{round_number}.json"
        try:
            problems = check_scan(scan(inventory_path), mdevs)
        except (RuntimeError, ValueError, OSError) as e:
            problems = [f"scan failed: {e}"]
        for p in problems:
            report(f"SCAN FAIL round {round_number}: {p}")
        if not problems:
            report("SCAN ok")
        for s, d, src, dst in planned:
            index += 1
            level = verdict(inventory_path, src, dst)
            mark, _ = kernel_log_since(0)
            say(f"migration {index}: {s} ({src}) -> {d} ({dst})")
            completed, details = migrate(index, src, dst)
            _, kernel = kernel_log_since(mark)
            # Evidence that the device's own state moved (mtty's dev_dbg): the source driver saved it
            # and the target driver took it, or refused it.
            saved = any(src in k and "mtty_save_device_data" in k for k in kernel)
            taken = [k for k in kernel if dst in k and "mtty_resume_write received" in k]
            refused = any(dst in k and "failed validation" in k for k in kernel)
            details.append(f"device state: saved by the source driver: {saved}; received by the target driver: "
                           f"{len(taken)} write(s); refused as invalid: {refused}")
            for line in details + [f"kernel: {k}" for k in kernel]:
                say("  " + line)
            report(f"MIGRATION {s} -> {d}: migration={'completed' if completed else 'failed'} verdict={level}")
        # The nested QEMUs are gone; free the ports for the next round.
        for u in mdevs:
            remove_mdev(u)
    report("DONE")


if __name__ == "__main__":
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))
    main()
