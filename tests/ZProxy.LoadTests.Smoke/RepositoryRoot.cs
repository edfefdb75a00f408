using System.Reflection;

namespace ZProxy.LoadTests.Smoke;

/// <summary>The repository's root (the folder holding ZProxy.sln) and the configuration these tests were built in.</summary>
internal static class RepositoryRoot
{
    public static string Path { get; } = Find();

    public static string Configuration { get; } = typeof(RepositoryRoot).Assembly
        .GetCustomAttributes<AssemblyMetadataAttribute>()
        .FirstOrDefault(a => a.Key == "Configuration")?.Value ?? "Debug";

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
