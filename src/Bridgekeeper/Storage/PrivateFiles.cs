using Mono.Unix;
using Mono.Unix.Native;

namespace Bridgekeeper.Storage;

/// <summary>
/// Files only their owner may read: the SQLite database and the MCP token key file. They are created with mode 600
/// from the first byte (the mode is given to <c>open(2)</c>, never set afterwards), so no other user ever sees them
/// readable, whatever the umask.
/// </summary>
internal static class PrivateFiles
{
    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private const UnixFileMode WritableByOthers = UnixFileMode.GroupWrite | UnixFileMode.OtherWrite;

    /// <summary>Creates <paramref name="path"/> (mode 600) for writing; throws <see cref="IOException"/> when it exists.</summary>
    public static FileStream CreateNew(string path)
    {
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
            options.UnixCreateMode = OwnerOnly;
        return new FileStream(path, options);
    }

    /// <summary>Creates an empty <paramref name="path"/> (mode 600) unless it exists; a concurrent creator wins cleanly.</summary>
    public static void EnsureExists(string path)
    {
        if (File.Exists(path))
            return;
        try
        {
            CreateNew(path).Dispose();
        }
        catch (IOException) when (File.Exists(path))
        {
            // Another process created it first.
        }
    }

    /// <summary>
    /// Writes <paramref name="contents"/> to a new file at <paramref name="path"/> at once: into a fresh mode-600 file
    /// beside it, flushed, then linked into place, so a reader never sees it half written. False when
    /// <paramref name="path"/> already exists (a concurrent writer won); its contents are then left alone.
    /// </summary>
    public static bool TryWriteNew(string path, string contents)
    {
        var temporary = $"{path}.{Guid.NewGuid():N}.tmp";
        try
        {
            using (var stream = CreateNew(temporary))
            using (var writer = new StreamWriter(stream))
            {
                writer.Write(contents);
                writer.Flush();
                stream.Flush(flushToDisk: true);
            }
            return Publish(temporary, path);
        }
        finally
        {
            File.Delete(temporary);
        }
    }

    /// <summary>
    /// Gives the written file its name, failing when the name exists. On Unix by <c>link(2)</c>, which is atomic: .NET's
    /// <c>File.Move(overwrite: false)</c> checks for the target and then renames, so two writers can both "win" and
    /// the second replaces the first's key after the first already used it.
    /// </summary>
    private static bool Publish(string temporary, string path)
    {
        if (OperatingSystem.IsWindows())
        {
            try
            {
                File.Move(temporary, path, overwrite: false);
                return true;
            }
            catch (IOException) when (File.Exists(path))
            {
                return false;
            }
        }
        if (Syscall.link(temporary, path) == 0)
            return true;
        var error = Stdlib.GetLastError();
        return error == Errno.EEXIST ? false : throw new IOException($"cannot create '{path}': {UnixMarshal.GetErrorDescription(error)}");
    }

    /// <summary>
    /// Why a secret file cannot be trusted, or null when it can: it must be owned by the user the gateway runs as (or
    /// by root) and not writable by group or others, since whoever can write it chooses the key.
    /// </summary>
    public static string? Distrust(string path)
    {
        if (OperatingSystem.IsWindows())
            return null;
        var file = new UnixFileInfo(path);
        var owner = file.OwnerUserId;
        var self = Syscall.geteuid();
        if (owner != self && owner != 0)
            return $"'{path}' belongs to user {owner} ({Name(owner)}), not to the user the gateway runs as ({self}); only its owner may keep it";
        var mode = File.GetUnixFileMode(path);
        if ((mode & WritableByOthers) != 0)
            return $"'{path}' is writable by {((mode & UnixFileMode.GroupWrite) != 0 ? "its group" : "others")} (mode {Octal(mode)}); make it 600 (chmod 600 '{path}')";
        return null;
    }

    private static string Octal(UnixFileMode mode) => Convert.ToString((int)mode & 0x1FF, 8).PadLeft(3, '0');

    private static string Name(long uid)
    {
        try
        {
            return new UnixUserInfo(uid).UserName;
        }
        catch (ArgumentException)
        {
            return "unknown";
        }
    }
}
