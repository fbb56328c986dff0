namespace MigCompat.Discovery.Tests.Sysfs;

/// <summary>
/// A fake procfs tree for the in-use lookup: <c>&lt;pid&gt;/fd/&lt;n&gt;</c> entries are dangling symbolic
/// links whose targets are what the kernel shows for an open file (<c>/dev/vfio/12</c>,
/// <c>anon_inode:[vfio-device]</c>); nothing they name exists, so nothing can be followed by mistake.
/// </summary>
public sealed class FakeProc
{
    private readonly List<string> locked = [];

    public FakeProc(string root)
    {
        Root = root;
        Directory.CreateDirectory(root);
    }

    public string Root { get; }

    public string Full(string relative) => Path.Combine(Root, relative);

    /// <summary>A process whose open files 3, 4, ... are <paramref name="openFiles"/> (the targets of its <c>fd/</c> links).</summary>
    public FakeProc Process(int pid, params string[] openFiles)
    {
        var fd = Full($"{pid}/fd");
        Directory.CreateDirectory(fd);
        for (var i = 0; i < openFiles.Length; i++)
        {
            File.CreateSymbolicLink(Path.Combine(fd, (i + 3).ToString(System.Globalization.CultureInfo.InvariantCulture)), openFiles[i]);
        }

        return this;
    }

    /// <summary>A process's <c>cmdline</c>: its arguments, each ended by a NUL, as procfs shows them.</summary>
    public FakeProc CommandLine(int pid, params string[] argv)
    {
        Directory.CreateDirectory(Full(pid.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        File.WriteAllText(Full($"{pid}/cmdline"), string.Concat(argv.Select(a => a + "\0")));
        return this;
    }

    /// <summary>
    /// <c>&lt;pid&gt;/fdinfo/&lt;n&gt;</c> for each of <paramref name="numbers"/>: regular files, as procfs lists a
    /// process's open files there too (a number without an <c>fd/</c> link: a file closed since the listing).
    /// </summary>
    public FakeProc Fdinfo(int pid, params int[] numbers)
    {
        var fdinfo = Full($"{pid}/fdinfo");
        Directory.CreateDirectory(fdinfo);
        foreach (var number in numbers)
        {
            File.WriteAllText(Path.Combine(fdinfo, number.ToString(System.Globalization.CultureInfo.InvariantCulture)), "pos:\t0\nflags:\t02\n");
        }

        return this;
    }

    /// <summary>A process's <c>fdinfo</c> as a regular file, so listing it fails (ENOTDIR) even for root.</summary>
    public FakeProc BrokenFdinfo(int pid)
    {
        Directory.CreateDirectory(Full(pid.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        File.WriteAllText(Full($"{pid}/fdinfo"), string.Empty);
        return this;
    }

    /// <summary>Process 1's PID namespace link, <c>1/ns/pid</c> (e.g. <c>pid:[4026531836]</c>, the host's).</summary>
    public FakeProc PidNamespace(string link)
    {
        Directory.CreateDirectory(Full("1/ns"));
        File.CreateSymbolicLink(Full("1/ns/pid"), link);
        return this;
    }

    /// <summary>Any other entry of the root: a directory (with an <c>fd/</c> of open files, when given).</summary>
    public FakeProc OtherDirectory(string name, params string[] openFiles)
    {
        Directory.CreateDirectory(Full(name));
        if (openFiles.Length > 0)
        {
            Directory.CreateDirectory(Full(name + "/fd"));
            for (var i = 0; i < openFiles.Length; i++)
            {
                File.CreateSymbolicLink(Full($"{name}/fd/{i}"), openFiles[i]);
            }
        }

        return this;
    }

    /// <summary>A process directory whose <c>fd</c> is a regular file, so listing it fails (ENOTDIR) even for root.</summary>
    public FakeProc ProcessWithBrokenFd(int pid)
    {
        Directory.CreateDirectory(Full(pid.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        File.WriteAllText(Full($"{pid}/fd"), string.Empty);
        return this;
    }

    /// <summary>Takes every permission away from a process's <c>fd/</c> (chmod 000); <see cref="Unlock"/> gives them back.</summary>
    public FakeProc LockFd(int pid)
    {
        if (!OperatingSystem.IsWindows())
        {
            var path = Full($"{pid}/fd");
            File.SetUnixFileMode(path, UnixFileMode.None);
            locked.Add(path);
        }

        return this;
    }

    /// <summary>Gives the locked directories their permissions back, so they can be deleted.</summary>
    public void Unlock()
    {
        foreach (var path in locked)
        {
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            }
        }

        locked.Clear();
    }

    /// <summary>True when this process can list a directory anyway (root can, whatever its mode).</summary>
    public static bool CanList(string path)
    {
        try
        {
            _ = Directory.EnumerateFileSystemEntries(path).Count();
            return true;
        }
        catch (UnauthorizedAccessException)
        {
            return false;
        }
    }
}
