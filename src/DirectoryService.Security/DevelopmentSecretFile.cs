namespace DirectoryService.Security;

/// <summary>
/// A secret kept in a local file for development (created if missing, readable by its owner only):
/// silos started together on one machine or volume agree on one value, because a new file is
/// written aside and moved into place, and a silo that loses that race reads the winner's.
/// </summary>
public static class DevelopmentSecretFile
{
    public static string ReadOrCreate(string path, Func<string> create)
    {
        if (File.Exists(path))
        {
            return File.ReadAllText(path);
        }

        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        var temporary = path + "." + Guid.NewGuid().ToString("N") + ".tmp";
        var value = create();
        File.WriteAllText(temporary, value);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(temporary, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        try
        {
            File.Move(temporary, path, overwrite: false);
            return value;
        }
        catch (IOException) when (File.Exists(path))
        {
            File.Delete(temporary);
            return File.ReadAllText(path);
        }
    }
}
