Console.WriteLine(new Projects.MigrationRunner().AssemblyPath);
