using Microsoft.Extensions.Options;

namespace ZProxy.Host.Telemetry;

/// <summary>Validates <see cref="TelemetryOptions"/> at start from its data annotations (source-generated).</summary>
[OptionsValidator]
internal sealed partial class TelemetryOptionsValidator : IValidateOptions<TelemetryOptions>;
