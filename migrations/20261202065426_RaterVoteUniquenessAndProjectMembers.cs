using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Rlhf.Data.Migrations
{
    /// <inheritdoc />
    public partial class RaterVoteUniquenessAndProjectMembers : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<int>(
                name: "ProjectId",
                table: "Jobs",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.CreateTable(
                name: "ProjectMembers",
                columns: table => new
                {
                    ProjectId = table.Column<int>(type: "INTEGER", nullable: false),
                    UserId = table.Column<string>(type: "TEXT", nullable: false),
                    IsOwner = table.Column<bool>(type: "INTEGER", nullable: false),
                    AddedAtUtc = table.Column<DateTime>(type: "TEXT", nullable: false),
                    AddedById = table.Column<string>(type: "TEXT", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ProjectMembers", x => new { x.ProjectId, x.UserId });
                    table.ForeignKey(
                        name: "FK_ProjectMembers_AspNetUsers_UserId",
                        column: x => x.UserId,
                        principalTable: "AspNetUsers",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "FK_ProjectMembers_Projects_ProjectId",
                        column: x => x.ProjectId,
                        principalTable: "Projects",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            // Before the unique index: a rater's second counted vote on a comparison (stored through a lease that ran out and
            // came back) is voided, not deleted; the earliest stays counted.
            migrationBuilder.Sql("""
                UPDATE "Votes" SET "VoidedAtUtc" = strftime('%Y-%m-%d %H:%M:%f', 'now'),
                    "VoidReason" = 'duplicate: the same rater''s earlier vote on this comparison counts (voided on upgrade)'
                WHERE "VoidedAtUtc" IS NULL AND EXISTS (
                    SELECT 1 FROM "Votes" AS "earlier"
                    WHERE "earlier"."ComparisonId" = "Votes"."ComparisonId" AND "earlier"."RaterId" = "Votes"."RaterId"
                      AND "earlier"."VoidedAtUtc" IS NULL AND "earlier"."Id" < "Votes"."Id");
                """);

            migrationBuilder.CreateIndex(
                name: "IX_Votes_Counted_ComparisonId_RaterId",
                table: "Votes",
                columns: new[] { "ComparisonId", "RaterId" },
                unique: true,
                filter: "\"VoidedAtUtc\" IS NULL");

            migrationBuilder.CreateIndex(
                name: "IX_Jobs_ProjectId",
                table: "Jobs",
                column: "ProjectId");

            migrationBuilder.CreateIndex(
                name: "IX_ProjectMembers_UserId",
                table: "ProjectMembers",
                column: "UserId");

            // Existing projects belong to their recorded creator (when the account still exists); a project with no
            // recorded creator gets no member and is seen by admins only, who may add researchers to it.
            migrationBuilder.Sql("""
                INSERT INTO "ProjectMembers" ("ProjectId", "UserId", "IsOwner", "AddedAtUtc", "AddedById")
                SELECT "p"."Id", "p"."CreatedById", 1, "p"."CreatedAtUtc", NULL FROM "Projects" AS "p"
                WHERE "p"."CreatedById" IS NOT NULL AND EXISTS (SELECT 1 FROM "AspNetUsers" AS "u" WHERE "u"."Id" = "p"."CreatedById");
                """);

            // Jobs that work on a project (imports, generation, reward and PPO runs) name it in their payload.
            migrationBuilder.Sql("""
                UPDATE "Jobs" SET "ProjectId" = json_extract("PayloadJson", '$.projectId')
                WHERE json_valid("PayloadJson") AND json_type("PayloadJson", '$.projectId') = 'integer'
                  AND EXISTS (SELECT 1 FROM "Projects" AS "p" WHERE "p"."Id" = json_extract("Jobs"."PayloadJson", '$.projectId'));
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "ProjectMembers");

            migrationBuilder.DropIndex(
                name: "IX_Votes_Counted_ComparisonId_RaterId",
                table: "Votes");

            migrationBuilder.DropIndex(
                name: "IX_Jobs_ProjectId",
                table: "Jobs");

            migrationBuilder.DropColumn(
                name: "ProjectId",
                table: "Jobs");
        }
    }
}
