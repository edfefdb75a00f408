using Microsoft.Extensions.Options;

namespace ZProxy.Proxy.Forwarding;

/// <summary>Validates <see cref="ForwardingOptions"/> at start from its data annotations (source-generated).</summary>
[OptionsValidator]
internal sealed partial class ForwardingOptionsValidator : IValidateOptions<ForwardingOptions>;
