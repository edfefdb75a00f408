using Xunit;
using ZProxy.PageBlocks.Eviction;

namespace ZProxy.PageBlocks.Tests;

public class SieveListTests
{
    private sealed class Node(int id) : SieveNode
    {
        public int Id { get; } = id;
    }

    [Fact]
    public void Evict_NothingVisited_OldestFirst()
    {
        var list = new SieveList();
        var nodes = Enumerable.Range(0, 4).Select(i => new Node(i)).ToArray();
        foreach (var node in nodes)
        {
            list.Insert(node);
        }

        Assert.Equal([0, 1, 2, 3], Enumerable.Range(0, 4).Select(_ => ((Node)list.Evict()!).Id));
        Assert.Null(list.Evict());
        Assert.Equal(0, list.Count);
    }

    [Fact]
    public void Evict_VisitedObject_SecondChanceAndHandKeepsPosition()
    {
        var list = new SieveList();
        var nodes = Enumerable.Range(0, 4).Select(i => new Node(i)).ToArray();
        foreach (var node in nodes)
        {
            list.Insert(node);
        }

        nodes[0].MarkVisited();
        nodes[2].MarkVisited();

        // The hand skips 0 (clearing it), evicts 1; next it skips 2, evicts 3; then wraps to 0, now unvisited.
        Assert.Equal(1, ((Node)list.Evict()!).Id);
        Assert.Equal(3, ((Node)list.Evict()!).Id);
        Assert.Equal(0, ((Node)list.Evict()!).Id);
        Assert.Equal(2, ((Node)list.Evict()!).Id);
    }

    [Fact]
    public void Remove_NodeUnderHand_HandMovesOn()
    {
        var list = new SieveList();
        var nodes = Enumerable.Range(0, 3).Select(i => new Node(i)).ToArray();
        foreach (var node in nodes)
        {
            list.Insert(node);
        }

        nodes[0].MarkVisited();
        Assert.Equal(1, ((Node)list.Evict()!).Id);

        list.Remove(nodes[2]);
        list.Remove(nodes[2]);

        Assert.Equal(1, list.Count);
        Assert.Equal(0, ((Node)list.Evict()!).Id);
        Assert.Null(list.Evict());
    }
}
