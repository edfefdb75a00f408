namespace ZProxy.FunctionalTests.Infrastructure;

/// <summary>Finds the repository's root (the folder holding ZProxy.sln) from the test binaries.</summary>
internal static class RepositoryRoot
{
    public static string Path { get; } = Find();

    private static string Find()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(System.IO.Path.Combine(directory.FullName, "ZProxy.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException("ZProxy.sln not found above " + AppContext.BaseDirectory);
    }
}
