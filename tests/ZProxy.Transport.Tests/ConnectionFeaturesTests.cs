using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Http.Features;
using ZProxy.Transport.Connections;

namespace ZProxy.Transport.Tests;

/// <summary>The connection's array-backed feature collection behaves as ASP.NET Core's <see cref="FeatureCollection"/>.</summary>
public sealed class ConnectionFeaturesTests
{
    [Fact]
    public void SetGetReplaceRemove_BehaveAsFeatureCollection()
    {
        var features = new ConnectionFeatures();
        var first = new ItemsFeature();
        var second = new ItemsFeature();

        Assert.Null(features.Get<IConnectionItemsFeature>());
        features.Set<IConnectionItemsFeature>(first);
        Assert.Same(first, features.Get<IConnectionItemsFeature>());
        Assert.Same(first, features[typeof(IConnectionItemsFeature)]);

        features.Set<IConnectionItemsFeature>(second);
        Assert.Same(second, features.Get<IConnectionItemsFeature>());
        Assert.Single(features);

        features.Set<IConnectionItemsFeature>(null);
        Assert.Null(features.Get<IConnectionItemsFeature>());
        Assert.Empty(features);
        Assert.Equal(3, features.Revision);
    }

    [Fact]
    public void ManyFeatures_GrowBeyondInitialCapacity_AndRemovalKeepsTheOthers()
    {
        var features = new ConnectionFeatures();
        var types = typeof(int).Assembly.GetExportedTypes().Take(40).ToArray();
        for (var i = 0; i < types.Length; i++)
        {
            features[types[i]] = i;
        }

        features[types[7]] = null;

        for (var i = 0; i < types.Length; i++)
        {
            Assert.Equal(i == 7 ? null : i, features[types[i]]);
        }

        Assert.Equal(types.Length - 1, features.Count());
        Assert.Equal(types.Where((_, i) => i != 7), features.Select(pair => pair.Key));
    }

    private sealed class ItemsFeature : IConnectionItemsFeature
    {
        public IDictionary<object, object?> Items { get; set; } = new Dictionary<object, object?>();
    }
}
