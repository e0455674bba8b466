package io.jahci.ahci;

import java.util.Map;

/**
 * The common names of SMART attributes, as smartctl prints them for a drive without a specific
 * entry in its database. The IDs and their meanings are de facto (ACS-3 leaves them vendor
 * specific); the table lists the ones most drives use.
 */
public final class SmartAttributeNames {
    /** The name of an ID missing from the table. */
    public static final String UNKNOWN = "Unknown_Attribute";

    private static final Map<Integer, String> NAMES = Map.ofEntries(
            Map.entry(1, "Raw_Read_Error_Rate"),
            Map.entry(2, "Throughput_Performance"),
            Map.entry(3, "Spin_Up_Time"),
            Map.entry(4, "Start_Stop_Count"),
            Map.entry(5, "Reallocated_Sector_Ct"),
            Map.entry(6, "Read_Channel_Margin"),
            Map.entry(7, "Seek_Error_Rate"),
            Map.entry(8, "Seek_Time_Performance"),
            Map.entry(9, "Power_On_Hours"),
            Map.entry(10, "Spin_Retry_Count"),
            Map.entry(11, "Calibration_Retry_Count"),
            Map.entry(12, "Power_Cycle_Count"),
            Map.entry(13, "Read_Soft_Error_Rate"),
            Map.entry(175, "Program_Fail_Count_Chip"),
            Map.entry(176, "Erase_Fail_Count_Chip"),
            Map.entry(177, "Wear_Leveling_Count"),
            Map.entry(178, "Used_Rsvd_Blk_Cnt_Chip"),
            Map.entry(179, "Used_Rsvd_Blk_Cnt_Tot"),
            Map.entry(180, "Unused_Rsvd_Blk_Cnt_Tot"),
            Map.entry(181, "Program_Fail_Cnt_Total"),
            Map.entry(182, "Erase_Fail_Count_Total"),
            Map.entry(183, "Runtime_Bad_Block"),
            Map.entry(184, "End-to-End_Error"),
            Map.entry(187, "Reported_Uncorrect"),
            Map.entry(188, "Command_Timeout"),
            Map.entry(189, "High_Fly_Writes"),
            Map.entry(190, "Airflow_Temperature_Cel"),
            Map.entry(191, "G-Sense_Error_Rate"),
            Map.entry(192, "Power-Off_Retract_Count"),
            Map.entry(193, "Load_Cycle_Count"),
            Map.entry(194, "Temperature_Celsius"),
            Map.entry(195, "Hardware_ECC_Recovered"),
            Map.entry(196, "Reallocated_Event_Count"),
            Map.entry(197, "Current_Pending_Sector"),
            Map.entry(198, "Offline_Uncorrectable"),
            Map.entry(199, "UDMA_CRC_Error_Count"),
            Map.entry(200, "Multi_Zone_Error_Rate"),
            Map.entry(201, "Soft_Read_Error_Rate"),
            Map.entry(202, "Data_Address_Mark_Errs"),
            Map.entry(203, "Run_Out_Cancel"),
            Map.entry(204, "Soft_ECC_Correction"),
            Map.entry(205, "Thermal_Asperity_Rate"),
            Map.entry(206, "Flying_Height"),
            Map.entry(207, "Spin_High_Current"),
            Map.entry(208, "Spin_Buzz"),
            Map.entry(209, "Offline_Seek_Performnce"),
            Map.entry(220, "Disk_Shift"),
            Map.entry(221, "G-Sense_Error_Rate"),
            Map.entry(222, "Loaded_Hours"),
            Map.entry(223, "Load_Retry_Count"),
            Map.entry(224, "Load_Friction"),
            Map.entry(225, "Load_Cycle_Count"),
            Map.entry(226, "Load-in_Time"),
            Map.entry(227, "Torq-amp_Count"),
            Map.entry(228, "Power-off_Retract_Count"),
            Map.entry(230, "Head_Amplitude"),
            Map.entry(231, "Temperature_Celsius"),
            Map.entry(232, "Available_Reservd_Space"),
            Map.entry(233, "Media_Wearout_Indicator"),
            Map.entry(240, "Head_Flying_Hours"),
            Map.entry(241, "Total_LBAs_Written"),
            Map.entry(242, "Total_LBAs_Read"),
            Map.entry(250, "Read_Error_Retry_Rate"),
            Map.entry(254, "Free_Fall_Sensor"));

    private SmartAttributeNames() {
    }

    /** The common name of attribute {@code id}, or {@link #UNKNOWN}. */
    public static String name(int id) {
        return NAMES.getOrDefault(id, UNKNOWN);
    }
}
