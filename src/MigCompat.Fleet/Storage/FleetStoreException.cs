namespace MigCompat.Fleet.Storage;

/// <summary>A store cannot be opened or used: a bad database spec, an unreachable server, a file that is not a fleet database.</summary>
public sealed class FleetStoreException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">What is wrong and what to do, for a person.</param>
    public FleetStoreException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with its cause.</summary>
    /// <param name="message">What is wrong and what to do, for a person.</param>
    /// <param name="innerException">The cause.</param>
    public FleetStoreException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>
    /// Set when the database could not take the request now (it has no free connection): nothing was
    /// carried out, and the same request may be sent again after about this long.
    /// </summary>
    public TimeSpan? RetryAfter { get; init; }
}
