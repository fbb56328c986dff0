namespace MigCompat.Libvirt.Tests;

/// <summary>The claim JSON migrate-xml reads (<c>--claim-file</c>, or the server's answer): read as the API writes it, refused in words otherwise.</summary>
public sealed class ClaimDocumentTests
{
    private const string Claim = """{"id":"c1","host":"gpu-07","items":[{"resourceKey":"device:0000:af:00.1","count":1}],"state":"confirmed","createdAt":"2026-12-07T06:00:00+00:00","expiresAt":"2026-12-07T06:05:00+00:00","idempotencyKey":null,"isActive":true}""";

    [Theory]
    [InlineData("the API's answer to a create", "{\"claim\":" + Claim + ",\"replayed\":false}")]
    [InlineData("the claim object itself (GET /v1/claims/{id})", Claim)]
    public void The_apis_claim_json_is_read(string what, string json)
    {
        var claim = ClaimDocument.Read(json, out var problem);

        Assert.True(problem is null, what + ": " + problem);
        Assert.Equal(new ClaimDocument("c1", "gpu-07", "confirmed", new DateTimeOffset(2026, 12, 7, 6, 5, 0, TimeSpan.Zero), [new("device:0000:af:00.1", 1)]), claim);
    }

    [Theory]
    [InlineData("not JSON", "claim c1", "not valid JSON")]
    [InlineData("an array", "[]", "not a JSON object")]
    [InlineData("no host", """{"id":"c1","items":[{"resourceKey":"k","count":1}],"state":"pending","expiresAt":"2026-12-07T06:05:00Z"}""", "lacks one of id, host, state, expiresAt")]
    [InlineData("a host with a control character", """{"id":"c1","host":"gpu\u0001","items":[{"resourceKey":"k","count":1}],"state":"pending","expiresAt":"2026-12-07T06:05:00Z"}""", "control characters")]
    [InlineData("a lone surrogate", """{"id":"c1","host":"gpu\ud800","items":[{"resourceKey":"k","count":1}],"state":"pending","expiresAt":"2026-12-07T06:05:00Z"}""", "lone surrogate")]
    [InlineData("a date that is not one", """{"id":"c1","host":"h","items":[{"resourceKey":"k","count":1}],"state":"pending","expiresAt":"soon"}""", "is not a date and time")]
    [InlineData("a count of 0", """{"id":"c1","host":"h","items":[{"resourceKey":"k","count":0}],"state":"pending","expiresAt":"2026-12-07T06:05:00Z"}""", "count of at least 1")]
    [InlineData("no items", """{"id":"c1","host":"h","items":[],"state":"pending","expiresAt":"2026-12-07T06:05:00Z"}""", "holds no resources")]
    public void A_claim_json_that_is_not_one_is_refused_in_words(string what, string json, string expected)
    {
        var claim = ClaimDocument.Read(json, out var problem);

        Assert.Null(claim);
        Assert.True(problem?.Contains(expected, StringComparison.Ordinal) == true, $"{what}: {problem}");
    }
}
