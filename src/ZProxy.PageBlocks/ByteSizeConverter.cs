using System.ComponentModel;
using System.Globalization;

namespace ZProxy.PageBlocks;

/// <summary>Lets the configuration binder read <see cref="ByteSize"/> from <c>"512MiB"</c>-style strings.</summary>
public sealed class ByteSizeConverter : TypeConverter
{
    /// <inheritdoc/>
    public override bool CanConvertFrom(ITypeDescriptorContext? context, Type sourceType)
        => sourceType == typeof(string) || sourceType == typeof(long) || sourceType == typeof(int) || base.CanConvertFrom(context, sourceType);

    /// <inheritdoc/>
    public override object? ConvertFrom(ITypeDescriptorContext? context, CultureInfo? culture, object value)
        => value switch
        {
            string text => ByteSize.Parse(text),
            long bytes => new ByteSize(bytes),
            int bytes => new ByteSize(bytes),
            _ => base.ConvertFrom(context, culture, value),
        };

    /// <inheritdoc/>
    public override object? ConvertTo(ITypeDescriptorContext? context, CultureInfo? culture, object? value, Type destinationType)
        => value is ByteSize size && destinationType == typeof(string) ? size.ToString() : base.ConvertTo(context, culture, value, destinationType);
}
