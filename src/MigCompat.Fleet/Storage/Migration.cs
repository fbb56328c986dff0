namespace MigCompat.Fleet.Storage;

/// <summary>One numbered schema change; applied once, in order, recorded in <c>schema_migrations</c>.</summary>
/// <param name="Version">The migration number, from 1 up without gaps.</param>
/// <param name="Name">A short description.</param>
/// <param name="Sql">The statements to run (one or more, separated by <c>;</c>).</param>
internal sealed record Migration(int Version, string Name, string Sql);
