namespace StackModel.LiteLLMStandIn;

/// <summary>
/// A LiteLLM-like Prisma schema: a subset of the proxy's <c>LiteLLM_*</c> tables, the <c>JobStatus</c> enum
/// and a view, with migration names in Prisma's <c>&lt;timestamp&gt;_&lt;name&gt;</c> form. The column lists follow
/// LiteLLM's <c>schema.prisma</c> closely enough for tests; they are not a copy of it.
/// </summary>
internal static class LiteLLMSchema
{
    /// <summary>The schema Prisma manages (the default of a <c>postgresql://</c> URL with no <c>?schema=</c>).</summary>
    public const string Schema = "public";

    /// <summary>Prisma's migrate advisory lock key, taken while the schema is brought up to date.</summary>
    public const long AdvisoryLockKey = 72707369;

    public const string MigrationsTable = "_prisma_migrations";

    public static IReadOnlyList<string> Tables { get; } =
    [
        "LiteLLM_BudgetTable",
        "LiteLLM_ProxyModelTable",
        "LiteLLM_OrganizationTable",
        "LiteLLM_TeamTable",
        "LiteLLM_UserTable",
        "LiteLLM_VerificationToken",
        "LiteLLM_Config",
        "LiteLLM_SpendLogs",
        "LiteLLM_ErrorLogs",
        "LiteLLM_CronJob",
        "LiteLLM_DailyUserSpend",
    ];

    public const string CreateMigrationsTableSql = """
        CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
            "id"                    VARCHAR(36) PRIMARY KEY NOT NULL,
            "checksum"              VARCHAR(64) NOT NULL,
            "finished_at"           TIMESTAMPTZ,
            "migration_name"        VARCHAR(255) NOT NULL,
            "logs"                  TEXT,
            "rolled_back_at"        TIMESTAMPTZ,
            "started_at"            TIMESTAMPTZ NOT NULL DEFAULT now(),
            "applied_steps_count"   INTEGER NOT NULL DEFAULT 0
        );
        """;

    /// <summary>Views LiteLLM (re)creates at every start, outside Prisma's migrations.</summary>
    public const string CreateViewsSql = """
        CREATE OR REPLACE VIEW "LiteLLM_VerificationTokenView" AS
        SELECT v.*, t.spend AS team_spend, t.max_budget AS team_max_budget,
               t.tpm_limit AS team_tpm_limit, t.rpm_limit AS team_rpm_limit
        FROM "LiteLLM_VerificationToken" v
        LEFT JOIN "LiteLLM_TeamTable" t ON v.team_id = t.team_id;
        """;

    public static IReadOnlyList<PrismaMigration> Migrations { get; } =
    [
        new("20250326162113_baseline", """
            -- CreateTable
            CREATE TABLE "LiteLLM_BudgetTable" (
                "budget_id" TEXT NOT NULL,
                "max_budget" DOUBLE PRECISION,
                "soft_budget" DOUBLE PRECISION,
                "max_parallel_requests" INTEGER,
                "tpm_limit" BIGINT,
                "rpm_limit" BIGINT,
                "model_max_budget" JSONB,
                "budget_duration" TEXT,
                "budget_reset_at" TIMESTAMP(3),
                "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
                "created_by" TEXT NOT NULL,
                "updated_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
                "updated_by" TEXT NOT NULL,
                CONSTRAINT "LiteLLM_BudgetTable_pkey" PRIMARY KEY ("budget_id")
            );

            -- CreateTable
            CREATE TABLE "LiteLLM_ProxyModelTable" (
                "model_id" TEXT NOT NULL,
                "model_name" TEXT NOT NULL,
                "litellm_params" JSONB NOT NULL,
                "model_info" JSONB,
                "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
                "created_by" TEXT NOT NULL,
                "updated_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
                "updated_by" TEXT NOT NULL,
                CONSTRAINT "LiteLLM_ProxyModelTable_pkey" PRIMARY KEY ("model_id")
            );

            -- CreateTable
            CREATE TABLE "LiteLLM_OrganizationTable" (
                "organization_id" TEXT NOT NULL,
                "organization_alias" TEXT NOT NULL,
                "budget_id" TEXT NOT NULL,
                "metadata" JSONB NOT NULL DEFAULT '{}',
                "models" TEXT[],
                "spend" DOUBLE PRECISION NOT NULL DEFAULT 0.0,
                "model_spend" JSONB NOT NULL DEFAULT '{}',
                "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
                "created_by" TEXT NOT NULL,
                "updated_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
                "updated_by" TEXT NOT NULL,
                CONSTRAINT "LiteLLM_OrganizationTable_pkey" PRIMARY KEY ("organization_id")
            );

            -- CreateTable
            CREATE TABLE "LiteLLM_TeamTable" (
                "team_id" TEXT NOT NULL,
                "team_alias" TEXT,
                "organization_id" TEXT,
                "admins" TEXT[],
                "members" TEXT[],
                "members_with_roles" JSONB NOT NULL DEFAULT '{}',
                "metadata" JSONB NOT NULL DEFAULT '{}',
                "max_budget" DOUBLE PRECISION,
                "spend" DOUBLE PRECISION NOT NULL DEFAULT 0.0,
                "models" TEXT[],
                "max_parallel_requests" INTEGER,
                "tpm_limit" BIGINT,
                "rpm_limit" BIGINT,
                "budget_duration" TEXT,
                "budget_reset_at" TIMESTAMP(3),
                "blocked" BOOLEAN NOT NULL DEFAULT false,
                "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
                "updated_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
                "model_spend" JSONB NOT NULL DEFAULT '{}',
                "model_max_budget" JSONB NOT NULL DEFAULT '{}',
                CONSTRAINT "LiteLLM_TeamTable_pkey" PRIMARY KEY ("team_id")
            );

            -- CreateTable
            CREATE TABLE "LiteLLM_UserTable" (
                "user_id" TEXT NOT NULL,
                "user_alias" TEXT,
                "team_id" TEXT,
                "organization_id" TEXT,
                "password" TEXT,
                "teams" TEXT[] DEFAULT ARRAY[]::TEXT[],
                "user_role" TEXT,
                "max_budget" DOUBLE PRECISION,
                "spend" DOUBLE PRECISION NOT NULL DEFAULT 0.0,
                "user_email" TEXT,
                "models" TEXT[],
                "metadata" JSONB NOT NULL DEFAULT '{}',
                "max_parallel_requests" INTEGER,
                "tpm_limit" BIGINT,
                "rpm_limit" BIGINT,
                "budget_duration" TEXT,
                "budget_reset_at" TIMESTAMP(3),
                "model_spend" JSONB NOT NULL DEFAULT '{}',
                "model_max_budget" JSONB NOT NULL DEFAULT '{}',
                CONSTRAINT "LiteLLM_UserTable_pkey" PRIMARY KEY ("user_id")
            );

            -- CreateTable
            CREATE TABLE "LiteLLM_VerificationToken" (
                "token" TEXT NOT NULL,
                "key_name" TEXT,
                "key_alias" TEXT,
                "spend" DOUBLE PRECISION NOT NULL DEFAULT 0.0,
                "expires" TIMESTAMP(3),
                "models" TEXT[],
                "aliases" JSONB NOT NULL DEFAULT '{}',
                "config" JSONB NOT NULL DEFAULT '{}',
                "user_id" TEXT,
                "team_id" TEXT,
                "permissions" JSONB NOT NULL DEFAULT '{}',
                "max_parallel_requests" INTEGER,
                "metadata" JSONB NOT NULL DEFAULT '{}',
                "blocked" BOOLEAN,
                "tpm_limit" BIGINT,
                "rpm_limit" BIGINT,
                "max_budget" DOUBLE PRECISION,
                "budget_duration" TEXT,
                "budget_reset_at" TIMESTAMP(3),
                "model_spend" JSONB NOT NULL DEFAULT '{}',
                "model_max_budget" JSONB NOT NULL DEFAULT '{}',
                "budget_id" TEXT,
                "organization_id" TEXT,
                "created_at" TIMESTAMP(3) DEFAULT CURRENT_TIMESTAMP,
                "created_by" TEXT,
                "updated_at" TIMESTAMP(3) DEFAULT CURRENT_TIMESTAMP,
                "updated_by" TEXT,
                CONSTRAINT "LiteLLM_VerificationToken_pkey" PRIMARY KEY ("token")
            );

            -- CreateTable
            CREATE TABLE "LiteLLM_Config" (
                "param_name" TEXT NOT NULL,
                "param_value" JSONB,
                CONSTRAINT "LiteLLM_Config_pkey" PRIMARY KEY ("param_name")
            );

            -- CreateTable
            CREATE TABLE "LiteLLM_SpendLogs" (
                "request_id" TEXT NOT NULL,
                "call_type" TEXT NOT NULL,
                "api_key" TEXT NOT NULL DEFAULT '',
                "spend" DOUBLE PRECISION NOT NULL DEFAULT 0.0,
                "total_tokens" INTEGER NOT NULL DEFAULT 0,
                "prompt_tokens" INTEGER NOT NULL DEFAULT 0,
                "completion_tokens" INTEGER NOT NULL DEFAULT 0,
                "startTime" TIMESTAMP(3) NOT NULL,
                "endTime" TIMESTAMP(3) NOT NULL,
                "completionStartTime" TIMESTAMP(3),
                "model" TEXT NOT NULL DEFAULT '',
                "model_id" TEXT DEFAULT '',
                "model_group" TEXT DEFAULT '',
                "api_base" TEXT DEFAULT '',
                "user" TEXT DEFAULT '',
                "metadata" JSONB DEFAULT '{}',
                "cache_hit" TEXT DEFAULT '',
                "cache_key" TEXT DEFAULT '',
                "request_tags" JSONB DEFAULT '[]',
                "team_id" TEXT,
                "end_user" TEXT,
                "requester_ip_address" TEXT,
                CONSTRAINT "LiteLLM_SpendLogs_pkey" PRIMARY KEY ("request_id")
            );

            -- CreateTable
            CREATE TABLE "LiteLLM_ErrorLogs" (
                "request_id" TEXT NOT NULL,
                "startTime" TIMESTAMP(3) NOT NULL,
                "endTime" TIMESTAMP(3) NOT NULL,
                "api_base" TEXT NOT NULL DEFAULT '',
                "model_group" TEXT NOT NULL DEFAULT '',
                "litellm_model_name" TEXT NOT NULL DEFAULT '',
                "model_id" TEXT NOT NULL DEFAULT '',
                "request_kwargs" JSONB NOT NULL DEFAULT '{}',
                "exception_type" TEXT NOT NULL DEFAULT '',
                "exception_string" TEXT NOT NULL DEFAULT '',
                "status_code" TEXT NOT NULL DEFAULT '',
                CONSTRAINT "LiteLLM_ErrorLogs_pkey" PRIMARY KEY ("request_id")
            );

            -- CreateIndex
            CREATE INDEX "LiteLLM_SpendLogs_startTime_idx" ON "LiteLLM_SpendLogs"("startTime");

            -- AddForeignKey
            ALTER TABLE "LiteLLM_OrganizationTable" ADD CONSTRAINT "LiteLLM_OrganizationTable_budget_id_fkey" FOREIGN KEY ("budget_id") REFERENCES "LiteLLM_BudgetTable"("budget_id") ON DELETE RESTRICT ON UPDATE CASCADE;

            -- AddForeignKey
            ALTER TABLE "LiteLLM_TeamTable" ADD CONSTRAINT "LiteLLM_TeamTable_organization_id_fkey" FOREIGN KEY ("organization_id") REFERENCES "LiteLLM_OrganizationTable"("organization_id") ON DELETE SET NULL ON UPDATE CASCADE;

            -- AddForeignKey
            ALTER TABLE "LiteLLM_VerificationToken" ADD CONSTRAINT "LiteLLM_VerificationToken_budget_id_fkey" FOREIGN KEY ("budget_id") REFERENCES "LiteLLM_BudgetTable"("budget_id") ON DELETE SET NULL ON UPDATE CASCADE;
            """),
        new("20250329084805_new_cron_job_table", """
            -- CreateEnum
            CREATE TYPE "JobStatus" AS ENUM ('ACTIVE', 'INACTIVE');

            -- CreateTable
            CREATE TABLE "LiteLLM_CronJob" (
                "cronjob_id" TEXT NOT NULL,
                "pod_id" TEXT NOT NULL,
                "status" "JobStatus" NOT NULL DEFAULT 'INACTIVE',
                "last_updated" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
                "ttl" TIMESTAMP(3) NOT NULL,
                CONSTRAINT "LiteLLM_CronJob_pkey" PRIMARY KEY ("cronjob_id")
            );
            """),
        new("20250331215456_track_success_and_failed_requests", """
            -- CreateTable
            CREATE TABLE "LiteLLM_DailyUserSpend" (
                "id" TEXT NOT NULL,
                "user_id" TEXT NOT NULL,
                "date" TEXT NOT NULL,
                "api_key" TEXT NOT NULL,
                "model" TEXT NOT NULL,
                "model_group" TEXT,
                "custom_llm_provider" TEXT,
                "prompt_tokens" INTEGER NOT NULL DEFAULT 0,
                "completion_tokens" INTEGER NOT NULL DEFAULT 0,
                "spend" DOUBLE PRECISION NOT NULL DEFAULT 0.0,
                "api_requests" INTEGER NOT NULL DEFAULT 0,
                "successful_requests" INTEGER NOT NULL DEFAULT 0,
                "failed_requests" INTEGER NOT NULL DEFAULT 0,
                "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
                "updated_at" TIMESTAMP(3) NOT NULL,
                CONSTRAINT "LiteLLM_DailyUserSpend_pkey" PRIMARY KEY ("id")
            );

            -- CreateIndex
            CREATE UNIQUE INDEX "LiteLLM_DailyUserSpend_user_id_date_api_key_model_custom_ll_key" ON "LiteLLM_DailyUserSpend"("user_id", "date", "api_key", "model", "custom_llm_provider");
            """),
    ];
}
