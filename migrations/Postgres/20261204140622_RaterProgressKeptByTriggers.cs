using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Rlhf.Data.Migrations.Postgres
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
                    RaterId = table.Column<string>(type: "text", nullable: false),
                    ProjectId = table.Column<int>(type: "integer", nullable: false),
                    Finished = table.Column<int>(type: "integer", nullable: false)
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
                CREATE FUNCTION "rlhf_rater_progress"() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    IF TG_OP <> 'INSERT' AND OLD."Status" IN ('Submitted', 'Skipped') THEN
                        UPDATE "RaterProgress" SET "Finished" = "Finished" - 1 WHERE "RaterId" = OLD."RaterId" AND "ProjectId" = OLD."ProjectId";
                    END IF;
                    IF TG_OP <> 'DELETE' AND NEW."Status" IN ('Submitted', 'Skipped') THEN
                        INSERT INTO "RaterProgress" AS p ("RaterId", "ProjectId", "Finished") VALUES (NEW."RaterId", NEW."ProjectId", 1)
                        ON CONFLICT ("RaterId", "ProjectId") DO UPDATE SET "Finished" = p."Finished" + 1;
                    END IF;
                    RETURN NULL;
                END
                $$;
                """);
            migrationBuilder.Sql("""
                CREATE TRIGGER "TR_Assignments_RaterProgress_Insert" AFTER INSERT ON "Assignments" FOR EACH ROW
                WHEN (NEW."Status" IN ('Submitted', 'Skipped')) EXECUTE FUNCTION "rlhf_rater_progress"();
                CREATE TRIGGER "TR_Assignments_RaterProgress_Update" AFTER UPDATE OF "Status", "RaterId", "ProjectId" ON "Assignments" FOR EACH ROW
                WHEN ((OLD."Status" IN ('Submitted', 'Skipped')) IS DISTINCT FROM (NEW."Status" IN ('Submitted', 'Skipped'))
                    OR OLD."RaterId" IS DISTINCT FROM NEW."RaterId" OR OLD."ProjectId" IS DISTINCT FROM NEW."ProjectId")
                EXECUTE FUNCTION "rlhf_rater_progress"();
                CREATE TRIGGER "TR_Assignments_RaterProgress_Delete" AFTER DELETE ON "Assignments" FOR EACH ROW
                WHEN (OLD."Status" IN ('Submitted', 'Skipped')) EXECUTE FUNCTION "rlhf_rater_progress"();
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""
                DROP TRIGGER "TR_Assignments_RaterProgress_Insert" ON "Assignments";
                DROP TRIGGER "TR_Assignments_RaterProgress_Update" ON "Assignments";
                DROP TRIGGER "TR_Assignments_RaterProgress_Delete" ON "Assignments";
                DROP FUNCTION "rlhf_rater_progress"();
                """);
            migrationBuilder.DropTable(
                name: "RaterProgress");
        }
    }
}
