using System.Security.Cryptography;
using System.Text;
using MigCompat.Core.Formatting;
using MigCompat.Core.Model;

namespace MigCompat.Fleet.Publishing;

/// <summary>
/// The stable id of a source class: a readable prefix (the mdev type, else the driver, else the device
/// API) and a 10-character base32 hash of the descriptor's canonical text (<see cref="DescriptorFormatter"/>),
/// e.g. <c>nvidia-63-5rq2kd7mxa</c>. The same descriptor gets the same id on every run and every machine;
/// the id is at most <see cref="MaxLength"/> characters of <c>[a-z0-9-]</c>, starting and ending with a
/// letter or digit, so it fits a Kubernetes label name and, upper-cased, a Placement trait.
/// </summary>
public static class SourceClassId
{
    /// <summary>The longest id: 40 characters of prefix, a dash and the hash.</summary>
    public const int MaxLength = MaxPrefixLength + 1 + HashLength;

    /// <summary>How many base32 characters of the hash an id carries (50 bits).</summary>
    public const int HashLength = 10;

    private const int MaxPrefixLength = 40;
    private const string Base32 = "abcdefghijklmnopqrstuvwxyz234567";

    /// <summary>The id of <paramref name="descriptor"/>.</summary>
    /// <param name="descriptor">A source device's descriptor.</param>
    public static string For(Descriptor descriptor)
    {
        ArgumentNullException.ThrowIfNull(descriptor);
        var prefix = Prefix(descriptor.SelfText(Descriptor.MdevTypeField) ?? descriptor.SelfText("driver") ?? descriptor.SelfText(Descriptor.DeviceApiField));
        return prefix + "-" + Hash(DescriptorFormatter.Format(descriptor));
    }

    /// <summary>The readable part: lower case, runs of anything but a letter or digit as one dash, at most 40 characters; <c>device</c> when nothing is left.</summary>
    private static string Prefix(string? text)
    {
        var builder = new StringBuilder(MaxPrefixLength);
        foreach (var c in (text ?? string.Empty).ToLowerInvariant())
        {
            if (builder.Length == MaxPrefixLength)
            {
                break;
            }

            if (c is >= 'a' and <= 'z' or >= '0' and <= '9')
            {
                builder.Append(c);
            }
            else if (builder.Length > 0 && builder[^1] != '-')
            {
                builder.Append('-');
            }
        }

        var prefix = builder.ToString().Trim('-');
        return prefix.Length == 0 ? "device" : prefix;
    }

    private static string Hash(string canonical)
    {
        Span<byte> digest = stackalloc byte[32];
        SHA256.HashData(Encoding.UTF8.GetBytes(canonical), digest);
        var bits = 0UL;
        for (var i = 0; i < 8; i++)
        {
            bits = (bits << 8) | digest[i];
        }

        var hash = new char[HashLength];
        for (var i = 0; i < HashLength; i++)
        {
            hash[i] = Base32[(int)(bits >> (64 - (5 * (i + 1)))) & 31];
        }

        return new string(hash);
    }
}
