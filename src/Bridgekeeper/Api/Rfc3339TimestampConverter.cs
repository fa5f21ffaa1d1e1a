using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Bridgekeeper.Api;

/// <summary>Writes timestamps as RFC 3339 in UTC with a <c>Z</c> suffix and up to microsecond precision.</summary>
internal sealed class Rfc3339TimestampConverter : JsonConverter<DateTimeOffset>
{
    public static string Format(DateTimeOffset value) =>
        value.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFF'Z'", CultureInfo.InvariantCulture);

    public override DateTimeOffset Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        reader.GetDateTimeOffset().ToUniversalTime();

    public override void Write(Utf8JsonWriter writer, DateTimeOffset value, JsonSerializerOptions options) =>
        writer.WriteStringValue(Format(value));
}
