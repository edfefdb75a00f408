namespace ZProxy.Transport.Connections;

/// <summary>
/// Connection feature of ZProxy's transport: the send queue that can take sealed segments by
/// reference. Its presence says only that the transport is ours; whether Kestrel's response
/// writer actually passes through to it is checked per segment by identity.
/// </summary>
internal interface IZeroCopyOutputFeature
{
    SendQueue Output { get; }
}
