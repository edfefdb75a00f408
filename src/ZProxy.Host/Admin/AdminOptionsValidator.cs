using Microsoft.Extensions.Options;

namespace ZProxy.Host.Admin;

/// <summary>Validates <see cref="AdminOptions"/> at start from its data annotations (source-generated).</summary>
[OptionsValidator]
internal sealed partial class AdminOptionsValidator : IValidateOptions<AdminOptions>;
