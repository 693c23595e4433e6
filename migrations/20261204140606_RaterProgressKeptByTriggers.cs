using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Rlhf.Data.Migrations
{
    /// <inheritdoc />
    public partial class RaterProgressKeptByTriggers : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "RaterProgress",
                columns: table => new
                {
                    RaterId = table.Column<string>(type: "TEXT", nullable: false),
                    ProjectId = table.Column<int>(type: "INTEGER", nullable: false),
                    Finished = table.Column<int>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_RaterProgress", x => new { x.RaterId, x.ProjectId });
                    table.ForeignKey(
                        name: "FK_RaterProgress_AspNetUsers_RaterId",
                        column: x => x.RaterId,
                        principalTable: "AspNetUsers",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "FK_RaterProgress_Projects_ProjectId",
                        column: x => x.ProjectId,
                        principalTable: "Projects",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_RaterProgress_ProjectId",
                table: "RaterProgress",
                column: "ProjectId");

            // The rater's finished assignments per project ("done in this project", shown with every pair), counted by the
            // database whatever writes an assignment (the rating path's plain statements, EF Core, bulk updates, imports):
            // in as an assignment becomes Submitted or Skipped, out as it leaves them or is deleted, in the writer's own
            // transaction. The assignments already finished are counted once here.
            migrationBuilder.Sql("""
                INSERT INTO "RaterProgress" ("RaterId", "ProjectId", "Finished")
                SELECT "RaterId", "ProjectId", COUNT(*) FROM "Assignments" WHERE "Status" IN ('Submitted', 'Skipped')
                GROUP BY "RaterId", "ProjectId";
                """);
            migrationBuilder.Sql("""
                CREATE TRIGGER "TR_Assignments_RaterProgress_Insert" AFTER INSERT ON "Assignments"
                WHEN NEW."Status" IN ('Submitted', 'Skipped')
                BEGIN
                    INSERT INTO "RaterProgress" ("RaterId", "ProjectId", "Finished") VALUES (NEW."RaterId", NEW."ProjectId", 1)
                    ON CONFLICT ("RaterId", "ProjectId") DO UPDATE SET "Finished" = "Finished" + 1;
                END;
                """);
            migrationBuilder.Sql("""
                CREATE TRIGGER "TR_Assignments_RaterProgress_Update" AFTER UPDATE OF "Status", "RaterId", "ProjectId" ON "Assignments"
                WHEN (OLD."Status" IN ('Submitted', 'Skipped')) IS NOT (NEW."Status" IN ('Submitted', 'Skipped'))
                    OR OLD."RaterId" IS NOT NEW."RaterId" OR OLD."ProjectId" IS NOT NEW."ProjectId"
                BEGIN
                    UPDATE "RaterProgress" SET "Finished" = "Finished" - 1
                    WHERE OLD."Status" IN ('Submitted', 'Skipped') AND "RaterId" = OLD."RaterId" AND "ProjectId" = OLD."ProjectId";
                    INSERT INTO "RaterProgress" ("RaterId", "ProjectId", "Finished")
                    SELECT NEW."RaterId", NEW."ProjectId", 1 WHERE NEW."Status" IN ('Submitted', 'Skipped')
                    ON CONFLICT ("RaterId", "ProjectId") DO UPDATE SET "Finished" = "Finished" + 1;
                END;
                """);
            migrationBuilder.Sql("""
                CREATE TRIGGER "TR_Assignments_RaterProgress_Delete" AFTER DELETE ON "Assignments"
                WHEN OLD."Status" IN ('Submitted', 'Skipped')
                BEGIN
                    UPDATE "RaterProgress" SET "Finished" = "Finished" - 1 WHERE "RaterId" = OLD."RaterId" AND "ProjectId" = OLD."ProjectId";
                END;
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""DROP TRIGGER "TR_Assignments_RaterProgress_Insert";""");
            migrationBuilder.Sql("""DROP TRIGGER "TR_Assignments_RaterProgress_Update";""");
            migrationBuilder.Sql("""DROP TRIGGER "TR_Assignments_RaterProgress_Delete";""");
            migrationBuilder.DropTable(
                name: "RaterProgress");
        }
    }
}
