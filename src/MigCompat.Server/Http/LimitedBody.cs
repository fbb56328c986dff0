using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace MigCompat.Server.Http;

/// <summary>Reads a request body up to a limit, on every server (Kestrel and the in-memory test server).</summary>
internal static class LimitedBody
{
    /// <summary>The body bytes, or null when it is larger than <paramref name="limit"/> (the caller answers 413).</summary>
    public static async Task<byte[]?> ReadAsync(HttpRequest request, int limit, CancellationToken cancellationToken)
    {
        if (request.ContentLength > limit)
        {
            return null;
        }

        if (request.HttpContext.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } sizeFeature)
        {
            sizeFeature.MaxRequestBodySize = limit + 1L;
        }

        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        try
        {
            while (true)
            {
                var read = await request.Body.ReadAsync(chunk, cancellationToken);
                if (read == 0)
                {
                    return buffer.ToArray();
                }

                if (buffer.Length + read > limit)
                {
                    return null;
                }

                buffer.Write(chunk, 0, read);
            }
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return null;
        }
        catch (Exception e) when (e is BadHttpRequestException or IOException)
        {
            // The client hung up before sending the whole body ("Unexpected end of request content",
            // a connection reset): nobody waits for an answer, and it is no failure of the server.
            throw new RequestBodyAbortedException(e);
        }
    }
}

/// <summary>The client stopped sending the request body (it hung up); the pipeline ends the request quietly.</summary>
internal sealed class RequestBodyAbortedException(Exception inner) : IOException("the client stopped sending the request body: " + inner.Message, inner);
