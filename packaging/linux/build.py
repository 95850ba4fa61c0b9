"""Build the operator app's `.deb` and portable `.tar.gz` (run through `packaging/build-linux OUTDIR`).

1. PyInstaller freezes the app with `packaging/operator_app.spec` into one folder.
2. The `.deb` installs that folder as /opt/operator-app with /usr/bin/operator-app, a desktop entry and
   hicolor icons. The system libraries PyInstaller copied from this Debian machine are taken out of
   the package and become `Depends:` instead, derived from every ELF file of the package (the
   libraries Qt's own .so files need that the package does not ship are named too).
3. The `.tar.gz` keeps the whole folder (with those libraries, for other distributions).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = "operator-app"
PREFIX = Path("opt") / PACKAGE
ICON_SIZES = (16, 24, 32, 48, 64, 128, 256, 512)
ICONS = ROOT / "resources" / "icons"
# Libraries Qt loads at run time (dlopen) or whose absence stops the xcb platform plugin with only Qt's
# generic message: named even where no ELF file links them.
RUNTIME_DEPENDS = [
    "libxcb-cursor0",
    "libxcb-icccm4",
    "libxcb-keysyms1",
    "libxcb-image0",
    "libxcb-render-util0",
    "libxkbcommon-x11-0",
    "libegl1",
    "libgl1",
    "libfontconfig1",
    "libdbus-1-3",
    "libnss3",
]
LIBRARY_DIRS = [
    f"/lib/{os.uname().machine}-linux-gnu",
    f"/usr/lib/{os.uname().machine}-linux-gnu",
    "/lib",
    "/usr/lib",
]
RECOMMENDS = ["fonts-noto-cjk | fonts-ipafont-gothic", "gnome-keyring | kwalletmanager | keepassxc"]
DESKTOP_ENTRY = """[Desktop Entry]
Type=Application
Name=Live Chat Operator
Name[ja]=ライブチャット オペレーター
GenericName=Live chat for website visitors
GenericName[ja]=Webサイト訪問者とのライブチャット
Comment=Answer website visitors' chats, transfer them, and call them on video
Comment[ja]=Webサイト訪問者のチャットに応答し、転送し、ビデオ通話します
Exec=operator-app
Icon=operator-app
Terminal=false
Categories=Network;Chat;InstantMessaging;Qt;
Keywords=chat;support;helpdesk;livechat;
StartupNotify=true
StartupWMClass=operator-app
"""


def log(message: str) -> None:
    print(f"build-linux: {message}", flush=True)


def fail(message: str) -> None:
    print(f"build-linux: error: {message}", file=sys.stderr, flush=True)
    raise SystemExit(1)


def version() -> str:
    """operator_app.__version__ (pyproject reads it from there too), without importing the app."""
    text = (ROOT / "operator_app" / "__init__.py").read_text(encoding="utf-8")
    match = re.search(r'^__version__ = "([^"]+)"$', text, re.MULTILINE)
    if match is None:
        fail("no __version__ in operator_app/__init__.py")
        raise AssertionError  # unreachable: fail() exits
    return match[1]


def check_inputs() -> None:
    missing = [ICONS / f"hicolor/{n}x{n}/apps/{PACKAGE}.png" for n in ICON_SIZES]
    missing = [path for path in [*missing, ICONS / f"{PACKAGE}.svg"] if not path.is_file()]
    if missing:
        names = ", ".join(str(path.relative_to(ROOT)) for path in missing)
        fail(f"missing icon file(s): {names} (the icons live in resources/icons; see resources/README.md)")
    for tool in ("dpkg-deb", "dpkg-query", "readelf", "ldconfig"):
        if shutil.which(tool) is None and not Path("/sbin", tool).exists():
            fail(f"{tool} not found: apt-get install dpkg binutils")
    try:
        import PyInstaller  # noqa: F401
    except ImportError:
        fail(f"PyInstaller is not installed in {sys.executable}: pip install -e '.[package]'")


def freeze(work: Path) -> tuple[Path, dict[str, str]]:
    """The PyInstaller one-folder bundle (work/dist/operator-app) and where its libraries came from."""
    started = time.monotonic()
    sources = work / "binary-sources.json"
    cmd = [sys.executable, "-m", "PyInstaller", "--noconfirm", "--clean", "--log-level", "WARN"]
    cmd += ["--distpath", str(work / "dist"), "--workpath", str(work / "build")]
    env = dict(os.environ, OPERATOR_APP_BINARY_SOURCES=str(sources))
    subprocess.run([*cmd, str(ROOT / "packaging" / "operator_app.spec")], cwd=ROOT, check=True, env=env)
    log(f"PyInstaller bundle in {time.monotonic() - started:.0f} s")
    return work / "dist" / PACKAGE, json.loads(sources.read_text(encoding="utf-8"))


def is_elf(path: Path) -> bool:
    if path.is_symlink() or not path.is_file():
        return False
    with path.open("rb") as file:
        return file.read(4) == b"\x7fELF"


def system_owned_libraries(bundle: Path, sources: dict[str, str]) -> dict[Path, str]:
    """Libraries beside the executable that PyInstaller copied from a Debian package: path -> package.

    Matched by the path they were copied from (`sources`: bundle path -> source), so a library of
    the same name from elsewhere (a Python built apart from Debian's) stays in the bundle."""
    internal = bundle / "_internal"
    candidates: dict[str, Path] = {}
    for dest, src in sources.items():
        path = internal / dest
        if "/" not in dest and path.name.startswith("lib") and is_elf(path):
            candidates[src] = path
            candidates[os.path.realpath(src)] = path
    if not candidates:
        return {}
    done = subprocess.run(["dpkg-query", "-S", *candidates], capture_output=True, text=True)
    owned: dict[Path, str] = {}
    for line in done.stdout.splitlines():
        packages, _, path = line.partition(": ")
        if path in candidates and "diversion" not in packages:
            owned[candidates[path]] = packages.split(",")[0].strip()
    return owned


def needed_sonames(elves: list[Path]) -> set[str]:
    """The DT_NEEDED entries of these ELF files (readelf reads only their dynamic sections)."""
    needed: set[str] = set()
    for chunk in range(0, len(elves), 50):
        cmd = ["readelf", "-d", "-W", *(str(p) for p in elves[chunk : chunk + 50])]
        done = subprocess.run(cmd, capture_output=True, text=True, check=True)
        needed.update(re.findall(r"\(NEEDED\)\s+Shared library: \[([^\]]+)\]", done.stdout))
    return needed


def system_library_paths() -> dict[str, list[str]]:
    """soname -> its paths in the dynamic linker's cache (this machine's architecture)."""
    done = subprocess.run(["ldconfig", "-p"], capture_output=True, text=True, check=True)
    paths: dict[str, list[str]] = {}
    for match in re.finditer(r"^\s*(\S+) \(([^)]*)\) => (\S+)$", done.stdout, re.MULTILINE):
        soname, flags, path = match.groups()
        if "x86-64" in flags or os.uname().machine != "x86_64":
            paths.setdefault(soname, []).append(path)
    return paths


def shlibs_version(package: str, soname: str) -> str:
    """The dependency a package's shlibs file gives for this soname (`pkg (>= v)`), else the name."""
    match = re.match(r"^(.*)\.so\.(\S+)$", soname) or re.match(r"^(.*)-(\S+)\.so$", soname)
    for shlibs in Path("/var/lib/dpkg/info").glob(f"{package.split(':')[0]}*.shlibs"):
        for line in shlibs.read_text().splitlines():
            fields = line.split(None, 2)
            if match and len(fields) == 3 and fields[:2] == [match[1], match[2]]:
                return fields[2].split(",")[0].strip()
    return package.split(":")[0]


def shlib_depends(tree: Path) -> str:
    """The Debian packages that hold the libraries the package's ELF files link and it does not ship.

    Like dpkg-shlibdeps (versions from the packages' shlibs files), in seconds instead of minutes."""
    elves = [path for path in tree.rglob("*") if is_elf(path)]
    shipped = {path.name for path in tree.rglob("*") if ".so" in path.name}
    wanted = sorted(needed_sonames(elves) - shipped)
    cache = system_library_paths()
    for soname in wanted:  # a name only linked, not in the cache (libbz2.so.1 beside libbz2.so.1.0)
        found = [f"{d}/{soname}" for d in LIBRARY_DIRS if Path(d, soname).exists()]
        if soname not in cache and found:
            cache[soname] = found
    unknown = [soname for soname in wanted if soname not in cache]
    if unknown:
        fail(f"libraries needed by the bundle and not found on this machine: {', '.join(unknown)}")
    by_path = {path: soname for soname in wanted for path in cache[soname]}
    by_path |= {os.path.realpath(path): soname for path, soname in list(by_path.items())}
    done = subprocess.run(["dpkg-query", "-S", *by_path], capture_output=True, text=True)
    owner: dict[str, str] = {}
    for line in done.stdout.splitlines():
        packages, _, path = line.partition(": ")
        if path in by_path and "diversion" not in packages:
            owner.setdefault(by_path[path], packages.split(",")[0].strip())
    orphans = [soname for soname in wanted if soname not in owner]
    if orphans:
        fail(f"libraries needed by the bundle that no Debian package holds: {', '.join(orphans)}")
    return ", ".join(sorted({shlibs_version(owner[soname], soname) for soname in wanted}))


def merge_depends(derived: str, extra: list[str]) -> str:
    items = [item.strip() for item in derived.split(",") if item.strip()]
    names = {item.split()[0] for item in items}
    items += [name for name in extra if name not in names]
    return ", ".join(sorted(items))


def install_desktop_files(tree: Path) -> None:
    apps = tree / "usr/share/applications"
    apps.mkdir(parents=True)
    (apps / f"{PACKAGE}.desktop").write_text(DESKTOP_ENTRY, encoding="utf-8")
    for n in ICON_SIZES:
        target = tree / f"usr/share/icons/hicolor/{n}x{n}/apps"
        target.mkdir(parents=True)
        shutil.copyfile(ICONS / f"hicolor/{n}x{n}/apps/{PACKAGE}.png", target / f"{PACKAGE}.png")
    scalable = tree / "usr/share/icons/hicolor/scalable/apps"
    scalable.mkdir(parents=True)
    shutil.copyfile(ICONS / f"{PACKAGE}.svg", scalable / f"{PACKAGE}.svg")


def build_deb(
    bundle: Path, sources: dict[str, str], out: Path, work: Path, ver: str, tree_ready: Callable[[], None]
) -> Path:
    """The .deb; `tree_ready` is called once the package's tree is laid out (from hard links to the
    bundle's files, which must not change while tar reads them), before it is compressed."""
    started = time.monotonic()
    tree = work / "deb"
    app = tree / PREFIX
    app.parent.mkdir(parents=True)
    shutil.copytree(bundle, app, symlinks=True, copy_function=os.link)  # hard links: no copying
    owned = system_owned_libraries(app, sources)
    for path in owned:
        path.unlink()
    # PyInstaller's links beside the executable to libraries now left out.
    for link in (app / "_internal").iterdir():
        if link.is_symlink() and not link.exists():
            link.unlink()
    log(f".deb: {len(owned)} system libraries left to Debian packages ({len(set(owned.values()))} packages)")
    # QtWebEngine creates this (empty) folder when it starts, where it can write (as root): owned by the
    # package, it goes on removal like the rest.
    (app / "_internal/PySide6/Qt/resources/locales").mkdir(parents=True, exist_ok=True)
    (tree / "usr/bin").mkdir(parents=True)
    (tree / "usr/bin" / PACKAGE).symlink_to(f"/{PREFIX}/{PACKAGE}")
    install_desktop_files(tree)
    doc = tree / "usr/share/doc" / PACKAGE
    doc.mkdir(parents=True)
    (doc / "copyright").write_text(
        "The Live Chat Operator desktop app, frozen with its Python runtime and Qt (LGPLv3, "
        "/usr/share/common-licenses/LGPL-3).\n"
    )
    depends = merge_depends(shlib_depends(tree), RUNTIME_DEPENDS)
    arch = subprocess.run(["dpkg", "--print-architecture"], capture_output=True, text=True, check=True)
    arch_name = arch.stdout.strip()
    size_kib = sum(p.lstat().st_size for p in tree.rglob("*") if not p.is_dir()) // 1024
    (tree / "DEBIAN").mkdir()
    control = (
        f"Package: {PACKAGE}\nVersion: {ver}\nArchitecture: {arch_name}\n"
        "Maintainer: Live Chat Operator maintainers <maintainers@operator-app.invalid>\n"
        f"Installed-Size: {size_kib}\nDepends: {depends}\nRecommends: {', '.join(RECOMMENDS)}\n"
        "Section: net\nPriority: optional\nHomepage: https://operator-app.invalid/\n"
        "Description: Live Chat Operator: the desktop app of the live-chat operators\n"
        " Operators answer the chats of website visitors, take them from the queue, transfer\n"
        " them, use canned replies, and call visitors on video. Admins preset and lock the\n"
        " server address and other settings in /etc/xdg/operator-app/policy.json.\n"
    )
    (tree / "DEBIAN" / "control").write_text(control)
    tree_ready()
    deb = out / f"{PACKAGE}_{ver}_{arch_name}.deb"
    # zstd at level 3: smaller than gzip -1 in a third of its time (packaging/README.md has the figures);
    # dpkg reads it since Debian 12 and Ubuntu 21.10.
    level = os.environ.get("OPERATOR_APP_DEB_COMPRESSION", "zstd:3")
    kind, _, strength = level.partition(":")
    cmd = [
        "dpkg-deb",
        "--root-owner-group",
        f"-Z{kind}",
        f"-z{strength or 1}",
        "--build",
        str(tree),
        str(deb),
    ]
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
    log(
        f"{deb.name}: {deb.stat().st_size / 1e6:.1f} MB, installed {size_kib / 1024:.0f} MiB, "
        f"{time.monotonic() - started:.0f} s"
    )
    log(f"Depends: {depends}")
    return deb


def start_tarball(bundle: Path, out: Path, work: Path, ver: str) -> tuple[subprocess.Popen[bytes], Path]:
    """Start writing the whole bundle (with its libraries) plus the desktop entry and icons, under
    operator-app/, while the .deb is built (two compressors on two cores)."""
    arch = os.uname().machine
    tarball = out / f"{PACKAGE}-{ver}-linux-{arch}.tar.gz"
    extra = work / "tar-extra"
    install_desktop_files(extra)
    cmd = ["tar", "-I", "gzip -1", "-cf", str(tarball), "-C", str(bundle.parent), PACKAGE]
    cmd += ["--transform", f"s,^share,{PACKAGE}/share,", "-C", str(extra / "usr"), "share"]
    return subprocess.Popen(cmd), tarball


def main() -> None:
    if len(sys.argv) != 2:
        fail("usage: packaging/build-linux OUTDIR")
    out = Path(sys.argv[1]).resolve()
    out.mkdir(parents=True, exist_ok=True)
    check_inputs()
    started = time.monotonic()
    ver = version()
    with tempfile.TemporaryDirectory(prefix="operator-app-build-") as work_dir:
        work = Path(work_dir)
        bundle, sources = freeze(work)
        tar_started = time.monotonic()
        tar: list[tuple[subprocess.Popen[bytes], Path]] = []
        try:
            build_deb(
                bundle, sources, out, work, ver, lambda: tar.append(start_tarball(bundle, out, work, ver))
            )
        finally:
            if tar and tar[0][0].wait() != 0:
                fail(f"tar failed with {tar[0][0].returncode}")
        tarball = tar[0][1]
        size = tarball.stat().st_size / 1e6
        log(f"{tarball.name}: {size:.1f} MB, {time.monotonic() - tar_started:.0f} s (beside the .deb)")
    log(f"done in {time.monotonic() - started:.0f} s: {out}")


if __name__ == "__main__":
    main()
