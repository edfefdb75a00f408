using System.Reflection;
using BenchmarkDotNet.Attributes;
using ZProxy.Benchmarks.Caching;

namespace ZProxy.LoadTests.Smoke;

/// <summary>
/// Every benchmark in ZProxy.Benchmarks' Caching folder runs once per parameter value (setup,
/// method, cleanup), so a refactoring that breaks one fails here rather than in someone's
/// benchmark session; and the hit path's decisions are held to zero allocations.
/// </summary>
public class CachingBenchmarkTests
{
    public static TheoryData<string, string> Benchmarks()
    {
        var data = new TheoryData<string, string>();
        foreach (var type in BenchmarkTypes())
        {
            foreach (var method in type.GetMethods().Where(m => m.GetCustomAttribute<BenchmarkAttribute>() is not null))
            {
                data.Add(type.Name, method.Name);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Benchmarks))]
    public void Benchmark_EveryParameter_RunsAndReturns(string typeName, string methodName)
    {
        var type = BenchmarkTypes().Single(t => t.Name == typeName);
        var method = type.GetMethod(methodName)!;
        foreach (var instance in Instances(type))
        {
            var result = method.Invoke(instance, null);
            if (method.ReturnType != typeof(void))
            {
                Assert.NotNull(result);
            }

            Cleanup(instance);
        }
    }

    [Theory]
    [InlineData(nameof(PolicyBenchmarks), nameof(PolicyBenchmarks.Reuse_FreshHit))]
    [InlineData(nameof(PolicyBenchmarks), nameof(PolicyBenchmarks.Classify_Get))]
    [InlineData(nameof(HitHeaderBenchmarks), nameof(HitHeaderBenchmarks.Preconditions_None))]
    [InlineData(nameof(HitHeaderBenchmarks), nameof(HitHeaderBenchmarks.Preconditions_IfNoneMatch))]
    public void HitPathBenchmark_SteadyState_AllocatesNothing(string typeName, string methodName)
    {
        var type = BenchmarkTypes().Single(t => t.Name == typeName);
        var method = type.GetMethod(methodName)!;
        foreach (var instance in Instances(type))
        {
            // A delegate, so boxing the result of Invoke does not count against the method.
            var call = method.CreateDelegate(typeof(Func<>).MakeGenericType(method.ReturnType), instance);
            var invoke = typeof(CachingBenchmarkTests).GetMethod(nameof(MeasureAllocations), BindingFlags.NonPublic | BindingFlags.Static)!
                .MakeGenericMethod(method.ReturnType);
            var bytes = (long)invoke.Invoke(null, [call])!;
            Assert.True(bytes == 0, $"{typeName}.{methodName} allocated {bytes} bytes over 100 calls");
        }
    }

    private static long MeasureAllocations<T>(Func<T> call)
    {
        call();
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 100; i++)
        {
            call();
        }

        return GC.GetAllocatedBytesForCurrentThread() - before;
    }

    private static IEnumerable<Type> BenchmarkTypes() =>
        typeof(CacheKeyBenchmarks).Assembly.GetTypes()
            .Where(t => t.Namespace == typeof(CacheKeyBenchmarks).Namespace && t.GetMethods().Any(m => m.GetCustomAttribute<BenchmarkAttribute>() is not null));

    /// <summary>One set-up instance per value of each [Params] property (the first value of the others).</summary>
    private static IEnumerable<object> Instances(Type type)
    {
        var parameters = type.GetProperties().Select(p => (Property: p, Values: p.GetCustomAttribute<ParamsAttribute>()?.Values)).Where(p => p.Values is not null).ToList();
        List<(PropertyInfo Property, object? Value)[]> variants = parameters.Count == 0
            ? [[]]
            : parameters.SelectMany(p => p.Values!.Select(v => new[] { (p.Property, (object?)v) })).ToList();
        foreach (var variant in variants)
        {
            var instance = Activator.CreateInstance(type)!;
            foreach (var (property, value) in variant)
            {
                property.SetValue(instance, value);
            }

            foreach (var setup in type.GetMethods().Where(m => m.GetCustomAttribute<GlobalSetupAttribute>() is not null))
            {
                setup.Invoke(instance, null);
            }

            yield return instance;
        }
    }

    private static void Cleanup(object instance)
    {
        foreach (var cleanup in instance.GetType().GetMethods().Where(m => m.GetCustomAttribute<GlobalCleanupAttribute>() is not null))
        {
            cleanup.Invoke(instance, null);
        }
    }
}
