// SPDX-License-Identifier: GPL-2.0-only
/*
 * Watchdog driver for the Lumora LM32 family of SoCs
 *
 * Copyright (C) 2026 Lumora Semiconductor
 */

#include <linux/bitfield.h>
#include <linux/clk.h>
#include <linux/io.h>
#include <linux/mod_devicetable.h>
#include <linux/module.h>
#include <linux/platform_device.h>
#include <linux/watchdog.h>

#define LM32_WDT_CTRL			0x00
#define LM32_WDT_CTRL_EN		BIT(0)
#define LM32_WDT_CTRL_RST_EN		BIT(1)
#define LM32_WDT_LOAD			0x04
#define LM32_WDT_COUNT			0x08
#define LM32_WDT_KICK			0x0c
#define LM32_WDT_KICK_MAGIC		0x4c4d3332
#define LM32_WDT_STATUS			0x10
#define LM32_WDT_STATUS_CAUSE		GENMASK(1, 0)

#define LM32_WDT_DEFAULT_TIMEOUT	30

enum lm32_wdt_reset_cause {
	LM32_RESET_POR = 0,
	LM32_RESET_WDT = 1,
	LM32_RESET_EXT = 2,
	LM32_RESET_SW = 3,
};

struct lm32_wdt {
	struct watchdog_device wdd;
	void __iomem *base;
	struct clk *clk;
	unsigned long rate;
};

static bool nowayout = WATCHDOG_NOWAYOUT;
module_param(nowayout, bool, 0);
MODULE_PARM_DESC(nowayout, "Watchdog cannot be stopped once started (default="
		 __MODULE_STRING(WATCHDOG_NOWAYOUT) ")");

static int lm32_wdt_start(struct watchdog_device *wdd)
{
	struct lm32_wdt *wdt = watchdog_get_drvdata(wdd);

	writel(wdd->timeout * wdt->rate, wdt->base + LM32_WDT_LOAD);
	writel(LM32_WDT_CTRL_EN | LM32_WDT_CTRL_RST_EN, wdt->base + LM32_WDT_CTRL);

	return 0;
}

static int lm32_wdt_stop(struct watchdog_device *wdd)
{
	struct lm32_wdt *wdt = watchdog_get_drvdata(wdd);

	writel(0, wdt->base + LM32_WDT_CTRL);

	return 0;
}

static int lm32_wdt_ping(struct watchdog_device *wdd)
{
	struct lm32_wdt *wdt = watchdog_get_drvdata(wdd);

	writel(LM32_WDT_KICK_MAGIC, wdt->base + LM32_WDT_KICK);

	return 0;
}

static int lm32_wdt_set_timeout(struct watchdog_device *wdd, unsigned int timeout)
{
	struct lm32_wdt *wdt = watchdog_get_drvdata(wdd);

	wdd->timeout = timeout;
	if (watchdog_active(wdd))
		writel(timeout * wdt->rate, wdt->base + LM32_WDT_LOAD);

	return 0;
}

static unsigned int lm32_wdt_get_timeleft(struct watchdog_device *wdd)
{
	struct lm32_wdt *wdt = watchdog_get_drvdata(wdd);

	return DIV_ROUND_CLOSEST(readl(wdt->base + LM32_WDT_COUNT), wdt->rate);
}

static const struct watchdog_info lm32_wdt_info = {
	.options = WDIOF_SETTIMEOUT | WDIOF_KEEPALIVEPING | WDIOF_MAGICCLOSE,
	.identity = "Lumora LM32 Watchdog",
};

static const struct watchdog_ops lm32_wdt_ops = {
	.owner = THIS_MODULE,
	.start = lm32_wdt_start,
	.stop = lm32_wdt_stop,
	.ping = lm32_wdt_ping,
	.set_timeout = lm32_wdt_set_timeout,
	.get_timeleft = lm32_wdt_get_timeleft,
};

static int lm32_wdt_probe(struct platform_device *pdev)
{
	struct device *dev = &pdev->dev;
	struct lm32_wdt *wdt;
	u32 status;

	wdt = devm_kzalloc(dev, sizeof(*wdt), GFP_KERNEL);
	if (!wdt)
		return -ENOMEM;

	wdt->base = devm_platform_ioremap_resource(pdev, 0);
	if (IS_ERR(wdt->base))
		return PTR_ERR(wdt->base);

	wdt->clk = devm_clk_get_enabled(dev, NULL);
	if (IS_ERR(wdt->clk))
		return dev_err_probe(dev, PTR_ERR(wdt->clk), "failed to get clock\n");

	wdt->rate = clk_get_rate(wdt->clk);
	if (!wdt->rate) {
		dev_err(dev, "invalid clock rate\n");
		return -EINVAL;
	}

	status = readl(wdt->base + LM32_WDT_STATUS);
	if (FIELD_GET(LM32_WDT_STATUS_CAUSE, status) == LM32_RESET_WDT)
		wdt->wdd.bootstatus = WDIOF_CARDRESET;

	wdt->wdd.info = &lm32_wdt_info;
	wdt->wdd.ops = &lm32_wdt_ops;
	wdt->wdd.parent = dev;
	wdt->wdd.min_timeout = 1;
	wdt->wdd.max_hw_heartbeat_ms = U32_MAX / wdt->rate * 1000;
	wdt->wdd.timeout = LM32_WDT_DEFAULT_TIMEOUT;

	watchdog_set_drvdata(&wdt->wdd, wdt);
	watchdog_set_nowayout(&wdt->wdd, nowayout);
	watchdog_init_timeout(&wdt->wdd, 0, dev);

	platform_set_drvdata(pdev, wdt);

	return devm_watchdog_register_device(dev, &wdt->wdd);
}

static const struct of_device_id lm32_wdt_of_match[] = {
	{ .compatible = "lumora,lm3200-wdt" },
	{ /* sentinel */ }
};
MODULE_DEVICE_TABLE(of, lm32_wdt_of_match);

static struct platform_driver lm32_wdt_driver = {
	.probe = lm32_wdt_probe,
	.driver = {
		.name = "lm32-wdt",
		.of_match_table = lm32_wdt_of_match,
	},
};
module_platform_driver(lm32_wdt_driver);

MODULE_AUTHOR("Ilse Marten <ilse.marten@lumora.example>");
MODULE_DESCRIPTION("Lumora LM32 watchdog driver");
MODULE_LICENSE("GPL");
