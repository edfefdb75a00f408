using System.Reflection;
using BenchmarkDotNet.Attributes;
using Xunit;

namespace ZProxy.PageBlocks.Tests;

/// <summary>
/// Runs every benchmark method of ZProxy.Benchmarks once (with its setup and cleanup, first value of each
/// parameter), so a benchmark that no longer works fails the build instead of rotting.
/// </summary>
public class BenchmarkSmokeTests
{
    public static TheoryData<string> BenchmarkClasses()
    {
        var data = new TheoryData<string>();
        foreach (var type in typeof(ZProxy.Benchmarks.Program).Assembly.GetTypes())
        {
            if (type.IsClass && !type.IsAbstract && type.GetMethods().Any(m => m.GetCustomAttribute<BenchmarkAttribute>() is not null))
            {
                data.Add(type.FullName!);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(BenchmarkClasses))]
    public void Benchmark_EveryMethod_RunsOnce(string typeName)
    {
        var type = typeof(ZProxy.Benchmarks.Program).Assembly.GetType(typeName, throwOnError: true)!;
        var instance = Activator.CreateInstance(type)!;
        foreach (var property in type.GetProperties())
        {
            if (property.GetCustomAttribute<ParamsAttribute>() is { } values)
            {
                property.SetValue(instance, values.Values[0]);
            }
        }

        Invoke<GlobalSetupAttribute>(type, instance);
        try
        {
            foreach (var method in type.GetMethods().Where(m => m.GetCustomAttribute<BenchmarkAttribute>() is not null))
            {
                Invoke<IterationSetupAttribute>(type, instance);
                method.Invoke(instance, null);
                Invoke<IterationCleanupAttribute>(type, instance);
            }
        }
        finally
        {
            Invoke<GlobalCleanupAttribute>(type, instance);
        }
    }

    private static void Invoke<TAttribute>(Type type, object instance)
        where TAttribute : Attribute
    {
        foreach (var method in type.GetMethods().Where(m => m.GetCustomAttribute<TAttribute>() is not null))
        {
            method.Invoke(instance, null);
        }
    }
}
