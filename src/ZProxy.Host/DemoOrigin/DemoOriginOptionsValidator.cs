using Microsoft.Extensions.Options;

namespace ZProxy.Host.DemoOrigin;

/// <summary>Validates <see cref="DemoOriginOptions"/> at start from its data annotations (source-generated).</summary>
[OptionsValidator]
internal sealed partial class DemoOriginOptionsValidator : IValidateOptions<DemoOriginOptions>;
