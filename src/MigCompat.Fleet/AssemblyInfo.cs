namespace MigCompat.Fleet;
