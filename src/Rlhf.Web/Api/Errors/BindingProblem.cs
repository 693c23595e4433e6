using System.Text.Json;
using System.Text.RegularExpressions;

namespace Rlhf.Web.Api.Errors;

/// <summary>
/// Refused input as the caller should read it: the status (400, 413, 415), the field it is about (a JSON property
/// such as <c>choice</c>, or a query parameter) and one sentence saying what the field must be.
/// </summary>
public sealed partial record BindingProblem(int Status, string? Field, string Detail)
{
    public IResult ToResult() => Field is null
        ? Results.Problem(statusCode: Status, title: Title, detail: Detail)
        : Results.ValidationProblem(new Dictionary<string, string[]> { [Field] = [Detail] }, statusCode: Status, title: Title, detail: Detail);

    private string Title => Status switch
    {
        StatusCodes.Status413PayloadTooLarge => "Request too large",
        StatusCodes.Status415UnsupportedMediaType => "Unsupported media type",
        _ => "Invalid request",
    };

    /// <summary>The problem an exception thrown while reading the request stands for, or null when it is not about the input.</summary>
    public static BindingProblem? From(Exception exception, HttpContext context, JsonSerializerOptions options)
    {
        switch (exception)
        {
            case BadHttpRequestException { InnerException: JsonException json }:
                return FromJson(json, context.GetEndpoint()?.Metadata.GetMetadata<Microsoft.AspNetCore.Http.Metadata.IAcceptsMetadata>()?.RequestType, options);
            case BadHttpRequestException { StatusCode: StatusCodes.Status413PayloadTooLarge } tooLarge:
                return new(StatusCodes.Status413PayloadTooLarge, null, tooLarge.Message);
            case BadHttpRequestException bad:
                return new(bad.StatusCode, ParameterName().Match(bad.Message) is { Success: true } m ? m.Groups[1].Value : null, bad.Message);
            case InvalidDataException data when data.Message.Contains("limit", StringComparison.OrdinalIgnoreCase):
                // The form reader's limits (multipart body length, value count and length).
                return new(data.Message.Contains("length", StringComparison.OrdinalIgnoreCase) ? StatusCodes.Status413PayloadTooLarge : StatusCodes.Status400BadRequest, null, data.Message);
            default:
                return null;
        }
    }

    private static BindingProblem FromJson(JsonException json, Type? body, JsonSerializerOptions options)
    {
        var message = json.Message;
        if (RequiredProperties().Match(message) is { Success: true } required)
            return Bad(required.Groups[1].Value, $"'{required.Groups[1].Value}' is required.");
        if (UnmappedProperty().Match(message) is { Success: true } unmapped)
            return Bad(unmapped.Groups[1].Value, $"'{unmapped.Groups[1].Value}' is not a field of this request (check its spelling).");
        var field = json.Path is { Length: > 2 } path ? LastName().Match(path).Groups[1].Value : null;
        if (string.IsNullOrEmpty(field)) field = null;
        // A value of the wrong kind ("1" for a number, NaN, null for a string) names what the field takes; broken JSON says where.
        var wrongValue = message.StartsWith("The JSON value could not be converted", StringComparison.Ordinal)
            || message.Contains("is an invalid start of a value", StringComparison.Ordinal) || message.Contains("null", StringComparison.Ordinal);
        if (field is null || !wrongValue)
            return Bad(field, $"The request body is not valid JSON{(field is null ? "" : $" at '{field}'")}"
                + (json.LineNumber is { } line ? $" (line {line + 1}, byte {json.BytePositionInLine + 1})." : "."));
        var expected = Describe(PropertyType(body, field, options));
        return Bad(field, expected is null ? $"'{field}' has a value of the wrong kind." : $"'{field}' must be {expected}.");
    }

    private static BindingProblem Bad(string? field, string detail) => new(StatusCodes.Status400BadRequest, field, detail);

    private static Type? PropertyType(Type? body, string field, JsonSerializerOptions options)
    {
        if (body is null) return null;
        try
        {
            return options.GetTypeInfo(body).Properties.FirstOrDefault(p => string.Equals(p.Name, field, StringComparison.OrdinalIgnoreCase))?.PropertyType;
        }
        catch (Exception ex) when (ex is NotSupportedException or InvalidOperationException)
        {
            return null;
        }
    }

    /// <summary>What a JSON value of the type looks like, in words.</summary>
    private static string? Describe(Type? type)
    {
        if (type is null) return null;
        var nullable = Nullable.GetUnderlyingType(type);
        var core = nullable ?? type;
        var text = core switch
        {
            _ when core.IsEnum => "one of " + string.Join(", ", Enum.GetNames(core).Select(n => $"\"{n}\"")),
            _ when core == typeof(int) || core == typeof(long) || core == typeof(short) => "a whole number (not in quotes)",
            _ when core == typeof(double) || core == typeof(float) || core == typeof(decimal) => "a finite number (not in quotes)",
            _ when core == typeof(bool) => "true or false",
            _ when core == typeof(string) => "a string",
            _ when core != typeof(string) && core.IsAssignableTo(typeof(System.Collections.IEnumerable)) => "a list",
            _ => null,
        };
        return text is null ? null : nullable is null ? text : text + " or null";
    }

    [GeneratedRegex("missing required properties including: '([^']+)'")]
    private static partial Regex RequiredProperties();

    [GeneratedRegex("The JSON property '([^']+)' could not be mapped")]
    private static partial Regex UnmappedProperty();

    [GeneratedRegex(@"([A-Za-z_][A-Za-z0-9_]*)(?:\[\d+\])*$")]
    private static partial Regex LastName();

    [GeneratedRegex("parameter \"(?:[^\"]* )?([A-Za-z_][A-Za-z0-9_]*)\"")]
    private static partial Regex ParameterName();
}
